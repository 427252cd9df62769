// The soak's sampler for runtimes without Node's --import preload (Deno, Bun): loaded by the soak
// config when SWITCHYARD_SAMPLER_PORTABLE is set, it appends the same JSON lines as sampler.mjs to
// $SWITCHYARD_SAMPLER_FILE. Memory comes from `process.memoryUsage()`, which Deno's and Bun's Node
// compatibility provide; event-loop delay is measured as the lateness of a 10 ms timer, which every
// runtime can do (Node's monitorEventLoopDelay is not on all of them).
import { appendFileSync } from "node:fs";
import process from "node:process";

const file = process.env.SWITCHYARD_SAMPLER_FILE;
const intervalMs = Number(process.env.SWITCHYARD_SAMPLER_INTERVAL_MS ?? 5000);
const TICK_MS = 10;

if (file) {
  let lateness: number[] = [];
  let expected = performance.now() + TICK_MS;
  const tick = setInterval(() => {
    const now = performance.now();
    lateness.push(Math.max(0, now - expected));
    expected = now + TICK_MS;
  }, TICK_MS);
  const at = (sorted: number[], q: number): number => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]);
  const round = (ms: number): number => Math.round(ms * 100) / 100;
  const sample = setInterval(() => {
    const m = process.memoryUsage();
    const sorted = lateness.sort((a, b) => a - b);
    lateness = [];
    const line = {
      t: Date.now(),
      rss: m.rss,
      heapUsed: m.heapUsed,
      heapTotal: m.heapTotal,
      external: m.external,
      arrayBuffers: m.arrayBuffers ?? 0,
      loopP50Ms: round(at(sorted, 0.5)),
      loopP99Ms: round(at(sorted, 0.99)),
      loopMaxMs: round(sorted.at(-1) ?? 0),
    };
    appendFileSync(file, `${JSON.stringify(line)}\n`);
  }, intervalMs);
  // Never keep a gateway alive that is shutting down.
  (tick as { unref?: () => void }).unref?.();
  (sample as { unref?: () => void }).unref?.();
}
