// The pass-through floor on Bun: Bun.serve in, fetch out, bodies streamed through untouched.
// Run: bun bench/e2e/floor-bun.ts --upstream http://127.0.0.1:PORT --port 0
declare const Bun: {
  argv: string[];
  serve(options: { port: number; hostname: string; fetch(request: Request): Promise<Response> }): { port: number };
};

const flag = (name: string): string | undefined => {
  const at = Bun.argv.indexOf(`--${name}`);
  return at === -1 ? undefined : Bun.argv[at + 1];
};
const upstream = new URL(flag("upstream")!).origin;

const server = Bun.serve({
  port: Number(flag("port") ?? 0),
  hostname: "127.0.0.1",
  async fetch(request) {
    const url = new URL(request.url);
    const answer = await fetch(upstream + url.pathname, { method: request.method, headers: { "content-type": request.headers.get("content-type") ?? "application/json" }, body: request.body });
    return new Response(answer.body, { status: answer.status, headers: { "content-type": answer.headers.get("content-type") ?? "application/json" } });
  },
});
console.log(`listening on http://127.0.0.1:${server.port}`);

// A module, not a script: its top-level names stay its own.
export {};
