/**
 * Heap bytes per in-process request. Needs `--expose-gc`. Each batch starts right after a full
 * GC and runs few enough requests that the young generation does not fill (the script raises
 * `--max-semi-space-size`), so the growth of heapUsed over the batch is what the batch allocated.
 * The median over batches throws out the ones a GC interrupted anyway.
 */
import type { Gateway } from "../../core/gateway.ts";
import { quantile } from "../lib/stats.ts";

export interface AllocationFigures {
  /** Median bytes allocated per request. */
  allocatedPerRequest: number;
  /** Heap still held after a full GC, per request, over `requests` more requests. */
  retainedPerRequest: number;
  requests: number;
}

const gc = (globalThis as { gc?: () => void }).gc;
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

export async function measureAllocations(gateway: Gateway, makeRequest: () => Request, options: { warmup?: number; batches?: number; batchSize?: number; retainedRequests?: number } = {}): Promise<AllocationFigures> {
  if (gc === undefined) throw new Error("allocation gate needs node --expose-gc");
  const one = async (): Promise<void> => {
    const res = await gateway.fetch(makeRequest());
    if (res.status !== 200) throw new Error(`request answered ${res.status}: ${await res.text()}`);
    await res.text();
  };
  // Warm up the JIT and every lazily built table before measuring.
  for (let i = 0; i < (options.warmup ?? 3000); i++) await one();
  const perBatch: number[] = [];
  const batchSize = options.batchSize ?? 100;
  const batches = options.batches ?? 30;
  for (let b = 0; b < batches; b++) {
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < batchSize; i++) await one();
    // onComplete hooks run on the next timer turn: count their work with the request's.
    await settle();
    perBatch.push((process.memoryUsage().heapUsed - before) / batchSize);
  }
  // Retention: what a second run of `requests` adds after a first one, so one-off growth (code,
  // lazily built tables) lands in the first run and only what grows with traffic is counted.
  const requests = options.retainedRequests ?? 5000;
  const heapAfterGc = async (): Promise<number> => {
    await settle();
    gc();
    return process.memoryUsage().heapUsed;
  };
  for (let i = 0; i < requests; i++) await one();
  const baseline = await heapAfterGc();
  for (let i = 0; i < requests; i++) await one();
  const retained = (await heapAfterGc()) - baseline;
  return { allocatedPerRequest: quantile(perBatch, 0.5), retainedPerRequest: retained / requests, requests };
}
