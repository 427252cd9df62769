// The pass-through floor on Deno: Deno.serve in, fetch out, bodies streamed through untouched.
// Run: deno run --allow-net bench/e2e/floor-deno.ts --upstream http://127.0.0.1:PORT --port 0
declare const Deno: {
  args: string[];
  serve(options: { port: number; hostname: string; onListen(addr: { port: number }): void }, handler: (request: Request) => Promise<Response>): unknown;
};

const flag = (name: string): string | undefined => {
  const at = Deno.args.indexOf(`--${name}`);
  return at === -1 ? undefined : Deno.args[at + 1];
};
const upstream = new URL(flag("upstream")!).origin;

Deno.serve(
  { port: Number(flag("port") ?? 0), hostname: "127.0.0.1", onListen: ({ port }) => console.log(`listening on http://127.0.0.1:${port}`) },
  async (request) => {
    const url = new URL(request.url);
    const answer = await fetch(upstream + url.pathname, { method: request.method, headers: { "content-type": request.headers.get("content-type") ?? "application/json" }, body: request.body });
    return new Response(answer.body, { status: answer.status, headers: { "content-type": answer.headers.get("content-type") ?? "application/json" } });
  },
);

// A module, not a script: its top-level names stay its own.
export {};
