import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const sampler = fileURLToPath(new URL("../../bench/soak/sampler.mjs", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "switchyard-sampler-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runWithSampler(env: Record<string, string>, script: string, cwd = dir): number | null {
  const { SWITCHYARD_SAMPLER_FILE: _, ...inherited } = process.env;
  return spawnSync(process.execPath, ["--import", sampler, "-e", script], { cwd, env: { ...inherited, ...env }, timeout: 15_000 }).status;
}

describe("soak sampler preload", () => {
  it("appends memory and event-loop delay lines while the process runs, and never keeps it alive", () => {
    const file = join(dir, "samples.jsonl");
    // Runs 600 ms, then exits on its own although the sampler's interval is still set.
    expect(runWithSampler({ SWITCHYARD_SAMPLER_FILE: file, SWITCHYARD_SAMPLER_INTERVAL_MS: "50" }, "setTimeout(() => {}, 600)")).toBe(0);
    const lines = readFileSync(file, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const line of lines) {
      for (const field of ["t", "rss", "heapUsed", "heapTotal", "external", "arrayBuffers", "loopP50Ms", "loopP99Ms", "loopMaxMs"]) expect(typeof line[field]).toBe("number");
      expect(line.rss).toBeGreaterThan(line.heapUsed);
    }
  });

  it("writes nothing when no sample file is named", () => {
    const empty = mkdtempSync(join(dir, "unnamed-"));
    expect(runWithSampler({ SWITCHYARD_SAMPLER_INTERVAL_MS: "10" }, "setTimeout(() => {}, 100)", empty)).toBe(0);
    expect(readdirSync(empty)).toEqual([]);
  });
});
