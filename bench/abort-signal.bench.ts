/**
 * What the client's abort signal costs per request on this runtime: a web AbortController with
 * its signal and one abort listener added and removed (what undici does per upstream request),
 * against the light ClientSignal the Node adapter hands the core (core/abort-watch.ts).
 * Run: node scripts/run-ts.mjs bench/abort-signal.bench.ts
 */
import { bench, do_not_optimize, run, summary } from "mitata";
import { ClientSignal } from "../core/abort-watch.ts";

const listener = (): void => {};

summary(() => {
  bench("AbortController + signal, one listener added and removed", () => {
    const signal = new AbortController().signal;
    signal.addEventListener("abort", listener, { once: true });
    signal.removeEventListener("abort", listener);
    do_not_optimize(signal);
  });
  bench("ClientSignal, one listener added and removed", () => {
    const client = new ClientSignal();
    client.addEventListener("abort", listener);
    client.removeEventListener("abort", listener);
    do_not_optimize(client);
  });
});

await run();
