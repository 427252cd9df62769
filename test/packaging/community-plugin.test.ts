/**
 * examples/community-plugin as its users get it: switchyard and the plugin each packed with
 * `npm pack`, installed into an empty project, the plugin loaded from that project's config
 * script, and traffic served through it on Node, Deno and Bun. The plugin is built, type checked
 * and tested in a copy of its folder against the packed switchyard, as its author would.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, type Runtime, RUNTIMES, startCli } from "../helpers/cli.ts";
import { installInto, packSwitchyard, run, TSC } from "./packed-switchyard.ts";

const SOURCE = join(ROOT, "examples", "community-plugin");
const NAME = "switchyard-plugin-request-tagger";
let dir: string;
let app: string;
let plugin: string;
let onPath: string;

/** Link `name` from `from`'s node_modules into `into`'s. */
function link(from: string, into: string, name: string): void {
  const target = join(into, "node_modules", name);
  mkdirSync(join(target, ".."), { recursive: true });
  symlinkSync(realpathSync(join(from, "node_modules", name)), target);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "switchyard-community-"));
  app = join(dir, "app");
  plugin = join(dir, "plugin");
  mkdirSync(app);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "community-app", private: true, type: "module" }));
  await installInto(app, await packSwitchyard(dir));

  // The author's checkout: the package's own files, switchyard as installed, its other dev dependencies.
  for (const entry of ["package.json", "tsconfig.json", "tsconfig.build.json", "vitest.config.ts", "README.md", "src", "test"]) cpSync(join(SOURCE, entry), join(plugin, entry), { recursive: true });
  link(app, plugin, "switchyard");
  for (const name of ["openai", "@anthropic-ai/sdk", "vitest"]) link(ROOT, plugin, name);
  await run(TSC, ["-p", join(plugin, "tsconfig.build.json")], { cwd: plugin });
  const { stdout } = await run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", dir], { cwd: plugin });
  const [{ filename }] = JSON.parse(stdout) as { filename: string }[];
  await installInto(app, join(dir, filename));

  writeFileSync(
    join(app, "switchyard.config.ts"),
    `import { defineConfig } from "switchyard";
import { mock } from "switchyard/providers";
import { route } from "switchyard/plugins";
import { requestTagger } from "${NAME}";

export default defineConfig({
  providers: { mock: mock() },
  plugins: [route({ models: { fast: [{ provider: "mock", model: "mock" }] } }), requestTagger({ allowed: ["search-app"], maxStreamedChars: 40 })],
});
`,
  );
  // The runtimes the CLI starts, found on PATH as users have them (switchyard brings neither).
  onPath = join(dir, "bin");
  mkdirSync(onPath);
  for (const runtime of ["deno", "bun"]) symlinkSync(realpathSync(join(ROOT, "node_modules", ".bin", runtime)), join(onPath, runtime));
}, 240_000);

afterAll(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe("the community plugin package", () => {
  it("packs what it declares: built JavaScript, declarations, README, and switchyard as a peer", () => {
    const installed = join(app, "node_modules", NAME);
    const pkg = JSON.parse(readFileSync(join(installed, "package.json"), "utf8")) as { peerDependencies: Record<string, string>; exports: Record<string, { types: string; default: string }> };
    expect(pkg.peerDependencies).toEqual({ switchyard: "^0.1.0" });
    expect(readFileSync(join(installed, pkg.exports["."].default), "utf8")).toContain('from "switchyard"');
    expect(readFileSync(join(installed, pkg.exports["."].types), "utf8")).toContain("requestTagger");
    // One switchyard in the project: the plugin uses the user's, not a copy of its own.
    expect(() => realpathSync(join(installed, "node_modules", "switchyard"))).toThrow();
  });

  it("type checks and passes its own tests against the packed switchyard", async () => {
    await run(TSC, ["-p", join(plugin, "tsconfig.json")], { cwd: plugin });
    const vitest = join(plugin, "node_modules", "vitest", "vitest.mjs");
    const { stdout } = await run(process.execPath, [vitest, "run", "--root", plugin, "--reporter", "dot"], { cwd: plugin, env: { ...process.env, NO_COLOR: "1" } });
    expect(stdout).toMatch(/Tests\s+\d+ passed/);
  }, 120_000);

  it.each(RUNTIMES)("serves traffic through the plugin from the project's config on %s", async (runtime: Runtime) => {
    const gateway = await startCli([], {
      cwd: app,
      bin: join(app, "node_modules", "switchyard", "bin", "switchyard.mjs"),
      runtime: runtime === "node" ? undefined : runtime,
      env: { PATH: `${onPath}:${process.env.PATH}`, DENO_NO_UPDATE_CHECK: "1" },
    });
    try {
      const ask = (body: Record<string, unknown>, tag: string) =>
        fetch(`${gateway.url}/v1/chat/completions`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-request-tag": tag },
          body: JSON.stringify({ model: "fast", messages: [{ role: "user", content: "tagged hello" }], ...body }),
        });
      const ok = await ask({}, "search-app");
      expect(ok.status).toBe(200);
      expect(ok.headers.get("x-request-tag")).toBe("search-app");
      expect((await ok.json()).choices[0].message.content).toContain("tagged hello");

      const refused = await ask({}, "other-app");
      expect(refused.status).toBe(400);
      expect((await refused.json()).error.code).toBe("tagger_invalid_tag");

      // The mock's answer is longer than 40 characters: the stream ends with the plugin's error event.
      const stream = await ask({ stream: true }, "search-app");
      expect(stream.status).toBe(200);
      const events = await stream.text();
      expect(events).toContain("tagger_stream_limit");
    } finally {
      expect(await gateway.stop()).toBe(0);
    }
  }, 60_000);
});
