/**
 * Which Prometheus implementation metrics() should use, measured side by side:
 * 1. the record path: what one completed request records (a request counter with 5 labels, three
 *    histograms and two token counters with 3–4 labels), on our registry, prom-client, and the
 *    OpenTelemetry metrics SDK;
 * 2. the scrape path: rendering the text for 200 label sets (a busy gateway) on each;
 * 3. a whole in-process chat request without and with the metrics() plugin.
 * Run: npm run bench:metrics
 */
import { PrometheusExporter, PrometheusSerializer } from "@opentelemetry/exporter-prometheus";
import { MeterProvider } from "@opentelemetry/sdk-metrics";
import { bench, do_not_optimize, group, run, summary } from "mitata";
import * as prom from "prom-client";
import { createGateway } from "../core/gateway.ts";
import { metrics } from "../plugins/index.ts";
import { DEFAULT_BUCKETS, DEFAULT_OVERHEAD_BUCKETS } from "../plugins/metrics/index.ts";
import { Registry, SEPARATOR, seriesKey } from "../plugins/metrics/registry.ts";
import { mock } from "../providers/mock.ts";

const ROUTE = ["route", "provider", "model"];
const FULL = [...ROUTE, "status", "fault"];
const TOKENS = [...ROUTE, "type"];
/** Label sets of a busy gateway: 20 routes × 10 served models, a few statuses. */
const sets = Array.from({ length: 200 }, (_, i) => ({ route: `route-${i % 20}`, provider: `p${i % 4}`, model: `model-${i % 10}`, status: i % 17 === 0 ? "500" : "200", fault: i % 17 === 0 ? "provider" : "none" }));
let cursor = 0;
const next = () => sets[(cursor = (cursor + 1) % sets.length)];

// --- ours
const ours = new Registry(2_000);
const o = {
  requests: ours.counter("switchyard_requests_total", "h", FULL),
  duration: ours.histogram("switchyard_request_duration_seconds", "h", ROUTE, DEFAULT_BUCKETS),
  firstByte: ours.histogram("switchyard_time_to_first_byte_seconds", "h", ROUTE, DEFAULT_BUCKETS),
  overhead: ours.histogram("switchyard_gateway_overhead_seconds", "h", ROUTE, DEFAULT_OVERHEAD_BUCKETS),
  tokens: ours.counter("switchyard_tokens_total", "h", TOKENS),
};
function recordOurs(s: (typeof sets)[number]): void {
  const labels = [s.route, s.provider, s.model];
  const key = seriesKey(labels);
  o.requests.inc([s.route, s.provider, s.model, s.status, s.fault], 1, key + SEPARATOR + s.status + SEPARATOR + s.fault);
  o.duration.observe(labels, 0.42, key);
  o.firstByte.observe(labels, 0.21, key);
  o.overhead.observe(labels, 0.0004, key);
  o.tokens.inc([s.route, s.provider, s.model, "input"], 120, key + SEPARATOR + "input");
  o.tokens.inc([s.route, s.provider, s.model, "output"], 40, key + SEPARATOR + "output");
}

// --- prom-client
const promRegistry = new prom.Registry();
const p = {
  requests: new prom.Counter({ name: "switchyard_requests_total", help: "h", labelNames: FULL, registers: [promRegistry] }),
  duration: new prom.Histogram({ name: "switchyard_request_duration_seconds", help: "h", labelNames: ROUTE, buckets: [...DEFAULT_BUCKETS], registers: [promRegistry] }),
  firstByte: new prom.Histogram({ name: "switchyard_time_to_first_byte_seconds", help: "h", labelNames: ROUTE, buckets: [...DEFAULT_BUCKETS], registers: [promRegistry] }),
  overhead: new prom.Histogram({ name: "switchyard_gateway_overhead_seconds", help: "h", labelNames: ROUTE, buckets: [...DEFAULT_OVERHEAD_BUCKETS], registers: [promRegistry] }),
  tokens: new prom.Counter({ name: "switchyard_tokens_total", help: "h", labelNames: TOKENS, registers: [promRegistry] }),
};
function recordProm(s: (typeof sets)[number]): void {
  const labels = { route: s.route, provider: s.provider, model: s.model };
  p.requests.inc({ ...labels, status: s.status, fault: s.fault });
  p.duration.observe(labels, 0.42);
  p.firstByte.observe(labels, 0.21);
  p.overhead.observe(labels, 0.0004);
  p.tokens.inc({ ...labels, type: "input" }, 120);
  p.tokens.inc({ ...labels, type: "output" }, 40);
}

// --- OpenTelemetry metrics SDK, read by its Prometheus exporter (no server)
const exporter = new PrometheusExporter({ preventServerStart: true });
const meterProvider = new MeterProvider({ readers: [exporter] });
const meter = meterProvider.getMeter("switchyard");
const t = {
  requests: meter.createCounter("switchyard_requests"),
  duration: meter.createHistogram("switchyard_request_duration", { unit: "s", advice: { explicitBucketBoundaries: [...DEFAULT_BUCKETS] } }),
  firstByte: meter.createHistogram("switchyard_time_to_first_byte", { unit: "s", advice: { explicitBucketBoundaries: [...DEFAULT_BUCKETS] } }),
  overhead: meter.createHistogram("switchyard_gateway_overhead", { unit: "s", advice: { explicitBucketBoundaries: [...DEFAULT_OVERHEAD_BUCKETS] } }),
  tokens: meter.createCounter("switchyard_tokens"),
};
function recordOtel(s: (typeof sets)[number]): void {
  const labels = { route: s.route, provider: s.provider, model: s.model };
  t.requests.add(1, { ...labels, status: s.status, fault: s.fault });
  t.duration.record(0.42, labels);
  t.firstByte.record(0.21, labels);
  t.overhead.record(0.0004, labels);
  t.tokens.add(120, { ...labels, type: "input" });
  t.tokens.add(40, { ...labels, type: "output" });
}
const serializer = new PrometheusSerializer();
async function scrapeOtel(): Promise<string> {
  const { resourceMetrics } = await exporter.collect();
  return serializer.serialize(resourceMetrics);
}

// Every label set exists before the scrape benchmarks, in each implementation.
for (const s of sets) {
  recordOurs(s);
  recordProm(s);
  recordOtel(s);
}

const chatBody = JSON.stringify({ model: "mock/m", messages: [{ role: "user", content: "hi" }] });
const post = (gateway: { request(path: string, init?: RequestInit): Promise<Response> }) =>
  gateway.request("/v1/chat/completions", { method: "POST", headers: { "content-type": "application/json" }, body: chatBody });
const bare = await createGateway({ providers: { mock: mock() } });
const measured = await createGateway({ providers: { mock: mock() }, plugins: [metrics()] });

group("record one completed request (6 samples)", () => {
  summary(() => {
    bench("switchyard registry", () => recordOurs(next()));
    bench("prom-client", () => recordProm(next()));
    bench("OTel sdk-metrics", () => recordOtel(next()));
  });
});

group("scrape 200 label sets to Prometheus text", () => {
  summary(() => {
    bench("switchyard registry", () => do_not_optimize(ours.render()));
    bench("prom-client", async () => do_not_optimize(await promRegistry.metrics()));
    bench("OTel sdk-metrics + PrometheusSerializer", async () => do_not_optimize(await scrapeOtel()));
  });
});

group("in-process chat request (mock provider)", () => {
  summary(() => {
    bench("no plugins (baseline)", async () => do_not_optimize(await (await post(bare)).text()));
    bench("metrics()", async () => do_not_optimize(await (await post(measured)).text()));
  });
});

await run();
const sample = (await promRegistry.metrics()).length;
console.log(`\nscrape sizes: switchyard ${ours.render().length} B, prom-client ${sample} B, OTel ${(await scrapeOtel()).length} B`);
await meterProvider.shutdown();
