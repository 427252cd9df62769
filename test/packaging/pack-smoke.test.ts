import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, startCli } from "../helpers/cli.ts";
import { installInto, packSwitchyard, run, TSC } from "./packed-switchyard.ts";

let dir: string;
let app: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "switchyard-pack-"));
  app = join(dir, "app");
  const tarball = await packSwitchyard(dir);
  await run("mkdir", [app]);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "smoke-app", private: true, type: "module" }));
  await installInto(app, tarball);
}, 240_000);

afterAll(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe("the packed tarball, installed into an empty project", () => {
  it("holds only what a user needs: built JavaScript, declarations, the CLI and the README", () => {
    const installed = join(app, "node_modules", "switchyard");
    const pkg = JSON.parse(readFileSync(join(installed, "package.json"), "utf8")) as { files: string[]; exports: Record<string, unknown> };
    expect(pkg.files).toEqual(["dist", "!dist/.built", "bin", "README.md"]);
    // Every entry point's code and declarations are in the tarball (tsconfig.build.json lists the entries).
    const missing = Object.values(pkg.exports)
      .flatMap((target) => (typeof target === "object" ? [(target as { types: string }).types, (target as { default: string }).default] : []))
      .filter((file) => !existsSync(join(installed, file)));
    expect(missing).toEqual([]);
    expect(existsSync(join(installed, "core"))).toBe(false);
  });

  it("imports by package name and answers the mock model in-process", async () => {
    writeFileSync(
      join(app, "use.mjs"),
      `import { createGateway, VERSION } from "switchyard";
import { mock } from "switchyard/providers";
const gateway = await createGateway({ providers: { mock: mock() } });
const response = await gateway.request("/v1/chat/completions", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model: "mock/mock", messages: [{ role: "user", content: "smoke" }] }) });
console.log(JSON.stringify({ version: VERSION, status: response.status, content: (await response.json()).choices[0].message.content }));
`,
    );
    const { stdout } = await run(process.execPath, ["use.mjs"], { cwd: app });
    expect(JSON.parse(stdout)).toEqual({ version: "0.1.0", status: 200, content: expect.stringContaining("smoke") });
  });

  it("starts its CLI with a TypeScript config and serves the mock model", async () => {
    writeFileSync(
      join(app, "switchyard.config.ts"),
      `import { defineConfig } from "switchyard";
import { mock } from "switchyard/providers";
import { route } from "switchyard/plugins";
const models: Record<string, { provider: string; model: string }[]> = { smoke: [{ provider: "mock", model: "mock" }] };
export default defineConfig({ providers: { mock: mock() }, plugins: [route({ models })] });
`,
    );
    const gateway = await startCli([], { cwd: app, bin: join(app, "node_modules", "switchyard", "bin", "switchyard.mjs") });
    try {
      const response = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "smoke", messages: [{ role: "user", content: "from the tarball" }] }),
      });
      expect(response.status).toBe(200);
      expect((await response.json()).choices[0].message.content).toContain("from the tarball");
    } finally {
      expect(await gateway.stop()).toBe(0);
    }
  });

  it("--runtime deno finds Deno on PATH, and says how to get it when there is none", async () => {
    // An installed switchyard brings no Deno (it is only a dev dependency of switchyard itself).
    expect(existsSync(join(app, "node_modules", ".bin", "deno"))).toBe(false);
    const bin = join(app, "node_modules", "switchyard", "bin", "switchyard.mjs");
    const missing = await run(process.execPath, [bin, "start", "--runtime", "deno", "--port", "0"], { cwd: app, env: { ...process.env, PATH: join(dir, "empty") } }).then(
      () => "started",
      (error: { stderr?: string; code?: number }) => `${error.code} ${error.stderr}`,
    );
    expect(missing).toMatch(/^1 switchyard: --runtime deno: Deno is not installed\. Put deno on PATH \(https:\/\/docs\.deno\.com\S*\), or add it to this project with npm install --save-dev deno\n$/);

    const onPath = join(dir, "path");
    await run("mkdir", [onPath]);
    symlinkSync(realpathSync(join(ROOT, "node_modules", ".bin", "deno")), join(onPath, "deno"));
    const gateway = await startCli([], { cwd: app, bin, runtime: "deno", env: { PATH: onPath, DENO_NO_UPDATE_CHECK: "1" } });
    try {
      expect(gateway.output()).toContain("runtime: deno");
      const response = await fetch(`${gateway.url}/v1/models`);
      expect(response.status).toBe(200);
    } finally {
      expect(await gateway.stop()).toBe(0);
    }
  });

  it("ships declarations a strict TypeScript consumer resolves (nodenext)", async () => {
    writeFileSync(
      join(app, "consumer.ts"),
      `import { createGateway, definePlugin, type Gateway } from "switchyard";
import { mock } from "switchyard/providers";
import { serve } from "switchyard/node";
const plugin = definePlugin({ name: "typed", onRequest(ctx) { void ctx.vars.authKeyId; } });
const gateway: Gateway = await createGateway({ providers: { mock: mock() }, plugins: [plugin] });
const server = await serve(gateway, { port: 0, handleSignals: false });
// @ts-expect-error: the declarations are real, so a wrong type is an error (with no types it would be any)
const wrong: number = server.url;
export { wrong };
`,
    );
    const types = join(ROOT, "node_modules", "@types", "node");
    const result = await run(TSC, ["--noEmit", "--strict", "--module", "nodenext", "--moduleResolution", "nodenext", "--target", "es2022", "--skipLibCheck", "--types", types, "consumer.ts"], { cwd: app }).then(
      () => "ok",
      (error: { stdout?: string }) => error.stdout ?? String(error),
    );
    expect(result).toBe("ok");
  });
});
