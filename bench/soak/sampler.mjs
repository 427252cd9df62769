// Bench-only preload: `node --import ./bench/soak/sampler.mjs bin/switchyard.mjs start …`.
// Appends one JSON line per interval to $SWITCHYARD_SAMPLER_FILE with the process's memory and
// event-loop delay, so a soak can watch a gateway without the gateway's code knowing about it.
import { appendFileSync } from "node:fs";
import { monitorEventLoopDelay } from "node:perf_hooks";

const file = process.env.SWITCHYARD_SAMPLER_FILE;
const intervalMs = Number(process.env.SWITCHYARD_SAMPLER_INTERVAL_MS ?? 5000);

if (file) {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const ms = (ns) => Math.round(ns / 1e4) / 100;
  const sample = () => {
    const m = process.memoryUsage();
    const line = {
      t: Date.now(),
      rss: m.rss,
      heapUsed: m.heapUsed,
      heapTotal: m.heapTotal,
      external: m.external,
      arrayBuffers: m.arrayBuffers,
      loopP50Ms: ms(delay.percentile(50)),
      loopP99Ms: ms(delay.percentile(99)),
      loopMaxMs: ms(delay.max),
    };
    delay.reset();
    appendFileSync(file, `${JSON.stringify(line)}\n`);
  };
  // Unref'd: the sampler must never keep a gateway alive that is shutting down.
  setInterval(sample, intervalMs).unref();
}
