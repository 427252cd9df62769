import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { describe, expect, it } from "vitest";
import { definePlugin } from "../../core/plugin.ts";
import { auth, circuitBreaker, cost, fallback, type LogQueueStats, metrics, rateLimit, route } from "../../plugins/index.ts";
import { openai } from "../../providers/openai.ts";
import { createTestGateway, inProcessUpstream, mockUpstream, readSSE } from "../../testing/index.ts";
import { captureCompleted } from "../helpers/upstream.ts";
import { chat, gatewayWithUpstreams, settled } from "../reliability/helpers.ts";

type Labels = Record<string, string>;
interface Family {
  type: string;
  samples: { labels: Labels; value: number }[];
}
interface Scrape {
  families: Map<string, Family>;
  /** The value of the sample with exactly these labels. */
  value(name: string, labels: Labels): number | undefined;
  /** The sum of a family's samples whose labels include `match`. */
  total(name: string, match?: Labels): number;
  /** A histogram's observation count for exactly these labels (its `_count` sample). */
  count(name: string, labels: Labels): number | undefined;
}

/**
 * Parse with parse-prometheus-text-format, which validates every line. Its grouping step folds
 * all series of a labelled histogram into one (it keys buckets on `le` alone), so histogram
 * series are read a second time with their TYPE relabelled `untyped`: then `_bucket`, `_sum`
 * and `_count` come back as plain families with their labels intact.
 */
function parse(text: string): Scrape {
  const families = new Map<string, Family>();
  const samplesOf = (family: ReturnType<typeof parsePrometheusTextFormat>[number]) =>
    family.metrics.map((m) => ({ labels: m.labels ?? {}, value: Number((m as { value: string }).value) }));
  for (const family of parsePrometheusTextFormat(text)) {
    families.set(family.name, { type: family.type, samples: family.type === "HISTOGRAM" ? [] : samplesOf(family) });
  }
  // Relabelled, each run of `_bucket`, `_sum` or `_count` lines is a family of its own.
  for (const family of parsePrometheusTextFormat(text.replace(/^# TYPE (\S+) histogram$/gm, "# TYPE $1 untyped"))) {
    const base = family.name.replace(/_(bucket|sum|count)$/, "");
    if (base === family.name || families.get(base)?.type !== "HISTOGRAM") continue;
    const parts = families.get(family.name) ?? { type: "UNTYPED", samples: [] };
    parts.samples.push(...samplesOf(family));
    families.set(family.name, parts);
  }
  const exactly = (labels: Labels, want: Labels) =>
    Object.keys(labels).length === Object.keys(want).length && Object.entries(want).every(([k, v]) => labels[k] === v);
  const value = (name: string, labels: Labels) => families.get(name)?.samples.find((s) => exactly(s.labels, labels))?.value;
  return {
    families,
    value,
    total(name, match = {}) {
      let sum = 0;
      for (const s of families.get(name)?.samples ?? []) if (Object.entries(match).every(([k, v]) => s.labels[k] === v)) sum += s.value;
      return sum;
    },
    count: (name, labels) => value(`${name}_count`, labels),
  };
}

/** Every histogram series: buckets never decrease, and +Inf equals the count. */
function expectWellFormedHistogram(m: Scrape, name: string): void {
  const series = m.families.get(`${name}_count`)!.samples;
  expect(series.length).toBeGreaterThan(0);
  for (const { labels, value: count } of series) {
    const buckets = m.families.get(`${name}_bucket`)!.samples.filter((b) => Object.entries(labels).every(([k, v]) => b.labels[k] === v));
    for (let i = 1; i < buckets.length; i++) expect(buckets[i].value).toBeGreaterThanOrEqual(buckets[i - 1].value);
    expect(buckets.at(-1)!.labels.le).toBe("+Inf");
    expect(buckets.at(-1)!.value).toBe(count);
  }
}

const KEYS = [
  { id: "app", key: "sk-app-0123456789" },
  { id: "limited", key: "sk-limited-0123456789", team: "small" },
];
const as = (id: string) => ({ authorization: `Bearer sk-${id}-0123456789` });

/** A stand-in for a log plugin (a community one, say): metrics finds any plugin whose `api` has a `log` facet. */
function fakeLog(stats: LogQueueStats) {
  return definePlugin({ name: "log", api: { log: { stats: () => stats, sinks: () => ({}), targets: [] } } });
}

describe("metrics", () => {
  it("counts every kind of request it is sent, and the text parses with a Prometheus parser", async () => {
    const capture = captureCompleted();
    const { gateway, up } = await gatewayWithUpstreams(["a", "b"], [
      auth({ keys: KEYS }),
      rateLimit({ per: "team", rpm: 1 }),
      route({ models: { fast: [{ provider: "a", model: "m1" }, { provider: "b", model: "m1" }], smart: [{ provider: "b", model: "m2" }] } }),
      fallback({ retries: 0 }),
      circuitBreaker(),
      cost({ prices: { m1: { input: 1, output: 2 }, m2: { input: 3, output: 4 } } }),
      fakeLog({ queued: 3, dropped: 7, written: 120, failedWrites: 2, capacity: 1024 }),
      metrics(),
      capture,
    ]);
    const post = (body: unknown, headers: Record<string, string> = as("app")) => gateway.post("/v1/chat/completions", body, headers);

    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await post(chat("fast"))).status);
    for (let i = 0; i < 2; i++) statuses.push((await post(chat("smart"))).status);
    statuses.push((await post(chat("no-such-model"))).status);
    statuses.push((await post(chat("fast"), {})).status);
    statuses.push((await post(chat("smart"), as("limited"))).status);
    statuses.push((await post(chat("smart"), as("limited"))).status);
    const stream = await post(chat("fast", { stream: true }));
    expect((await readSSE(stream)).length).toBeGreaterThan(0);
    statuses.push(stream.status);
    up.a.fail({ status: 500 });
    const failedOver = await post(chat("fast"));
    statuses.push(failedOver.status);
    expect(failedOver.headers.get("x-switchyard-provider")).toBe("b");
    expect(statuses).toEqual([200, 200, 200, 200, 200, 404, 401, 200, 429, 200, 200]);
    await settled(gateway);

    const res = await gateway.request("/metrics");
    expect(res.status).toBe(200);
    const m = parse(await res.text());

    expect(m.families.get("switchyard_requests_total")?.type).toBe("COUNTER");
    const requests = (route: string, provider: string, model: string, status: string, fault: string) =>
      m.value("switchyard_requests_total", { route, provider, model, status, fault });
    expect(requests("fast", "a", "m1", "200", "none")).toBe(4); // three JSON answers and the stream
    expect(requests("fast", "b", "m1", "200", "none")).toBe(1); // the fail-over
    expect(requests("smart", "b", "m2", "200", "none")).toBe(3);
    expect(requests("_unrouted", "", "", "404", "client")).toBe(1);
    expect(requests("fast", "", "", "401", "policy")).toBe(1);
    expect(requests("smart", "", "", "429", "policy")).toBe(1);
    expect(m.total("switchyard_requests_total")).toBe(statuses.length);

    expect(m.families.get("switchyard_request_duration_seconds")?.type).toBe("HISTOGRAM");
    expect(m.total("switchyard_request_duration_seconds_count")).toBe(statuses.length);
    expect(m.count("switchyard_request_duration_seconds", { route: "fast", provider: "a", model: "m1" })).toBe(4);
    expect(m.count("switchyard_request_duration_seconds", { route: "smart", provider: "", model: "" })).toBe(1);
    expect(m.total("switchyard_time_to_first_byte_seconds_count")).toBe(8); // only answers an upstream gave
    expect(m.total("switchyard_gateway_overhead_seconds_count")).toBe(statuses.length);
    for (const name of ["switchyard_request_duration_seconds", "switchyard_time_to_first_byte_seconds", "switchyard_gateway_overhead_seconds"]) {
      expectWellFormedHistogram(m, name);
    }

    expect(m.value("switchyard_upstream_attempts_total", { provider: "a", model: "m1", outcome: "ok" })).toBe(4);
    expect(m.value("switchyard_upstream_attempts_total", { provider: "a", model: "m1", outcome: "error" })).toBe(1);
    expect(m.value("switchyard_upstream_attempts_total", { provider: "b", model: "m1", outcome: "ok" })).toBe(1);
    expect(m.value("switchyard_upstream_attempts_total", { provider: "b", model: "m2", outcome: "ok" })).toBe(3);

    // Tokens and cost match what the providers reported and the cost plugin computed.
    const served = capture.completed.filter((ctx) => ctx.usage !== null);
    expect(served).toHaveLength(8);
    const sum = (f: (ctx: (typeof served)[number]) => number) => served.reduce((n, ctx) => n + f(ctx), 0);
    expect(m.total("switchyard_tokens_total", { type: "input" })).toBe(sum((ctx) => ctx.usage!.inputTokens));
    expect(m.total("switchyard_tokens_total", { type: "output" })).toBe(sum((ctx) => ctx.usage!.outputTokens));
    expect(sum((ctx) => ctx.usage!.inputTokens)).toBeGreaterThan(0);
    const usd = sum((ctx) => ctx.vars.costUsd ?? 0);
    expect(usd).toBeGreaterThan(0);
    expect(m.total("switchyard_cost_usd_total")).toBeCloseTo(usd, 12);

    expect(m.value("switchyard_rate_limit_rejections_total", { limiter: "rate-limit:team" })).toBe(1);
    expect(m.value("switchyard_rate_limited_requests_total", { route: "smart", fault: "policy" })).toBe(1);
    expect(m.value("switchyard_requests_in_flight", {})).toBe(0);
    expect(m.value("switchyard_circuit_state", { provider: "a", model: "m1" })).toBe(0);
    expect(m.value("switchyard_log_queue_depth", { plugin: "log" })).toBe(3);
    expect(m.value("switchyard_log_queue_capacity", { plugin: "log" })).toBe(1024);
    expect(m.value("switchyard_log_records_dropped_total", { plugin: "log" })).toBe(7);
    expect(m.value("switchyard_log_records_written_total", { plugin: "log" })).toBe(120);
    expect(m.value("switchyard_log_write_failures_total", { plugin: "log" })).toBe(2);
  });

  it("serves the Prometheus text content type, and counts a request in flight until its stream ends", async () => {
    const { gateway, up } = await gatewayWithUpstreams(["a"], [metrics({ path: "/internal/metrics" })]);
    const gate = up.a.gate(1);
    const stream = await gateway.post("/v1/chat/completions", chat("a/m", { stream: true }));
    await gate.reached;
    const during = await gateway.request("/internal/metrics");
    expect(during.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    expect(parse(await during.text()).value("switchyard_requests_in_flight", {})).toBe(1);
    gate.release();
    await stream.text();
    await settled(gateway);
    const after = parse(await (await gateway.request("/internal/metrics")).text());
    expect(after.value("switchyard_requests_in_flight", {})).toBe(0);
    expect(after.value("switchyard_requests_total", { route: "_other", provider: "a", model: "_other", status: "200", fault: "none" })).toBe(1);
    expect((await gateway.request("/metrics")).status).toBe(404);
  });

  it("keeps a flood of made-up models to two series: _unrouted for unknown names, _other for made-up provider/model ids", async () => {
    const { gateway } = await gatewayWithUpstreams(["a"], [metrics()]);
    const scrape = async () => {
      await settled(gateway);
      return (await gateway.request("/metrics")).text();
    };
    expect((await gateway.post("/v1/chat/completions", chat("a/first"))).status).toBe(200);
    const small = (await scrape()).length;
    for (let i = 0; i < 40; i++) expect((await gateway.post("/v1/chat/completions", chat(`nope-${i}`))).status).toBe(404);
    for (let i = 0; i < 300; i++) expect((await gateway.post("/v1/chat/completions", chat(`a/${crypto.randomUUID()}`))).status).toBe(200);
    const text = await scrape();
    const m = parse(text);
    expect(m.value("switchyard_requests_total", { route: "_unrouted", provider: "", model: "", status: "404", fault: "client" })).toBe(40);
    expect(m.value("switchyard_requests_total", { route: "_other", provider: "a", model: "_other", status: "200", fault: "none" })).toBe(301);
    expect(m.families.get("switchyard_requests_total")!.samples.length).toBe(2);
    expect(m.value("switchyard_upstream_attempts_total", { provider: "a", model: "_other", outcome: "ok" })).toBe(301);
    expect(m.families.get("switchyard_metrics_series_overflow_total")?.samples ?? []).toEqual([]);
    // 340 more requests with fresh names added one series (the 404s), not one per name.
    expect(text.length).toBeLessThan(small * 2);
    expect(text).not.toContain("nope-");
  });

  it("keeps configured models' names, and still caps label sets per metric with an overflow series", async () => {
    const aliases = Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`alias-${i}`, [{ provider: "a", model: `m${i}` }]]));
    const { gateway } = await gatewayWithUpstreams(["a"], [route({ models: aliases }), metrics({ maxSeries: 10 })]);
    for (let i = 0; i < 15; i++) expect((await gateway.post("/v1/chat/completions", chat(`alias-${i}`))).status).toBe(200);
    await settled(gateway);
    const m = parse(await (await gateway.request("/metrics")).text());
    expect(m.value("switchyard_requests_total", { route: "alias-3", provider: "a", model: "m3", status: "200", fault: "none" })).toBe(1);
    expect(m.families.get("switchyard_requests_total")!.samples.length).toBe(11); // the cap, and the overflow series
    expect(m.total("switchyard_requests_total")).toBe(15);
    expect(m.value("switchyard_requests_total", { route: "_overflow", provider: "_overflow", model: "_overflow", status: "_overflow", fault: "_overflow" })).toBe(5);
    expect(m.value("switchyard_metrics_series_overflow_total", { metric: "switchyard_requests_total" })).toBe(5);
    expect(m.families.get("switchyard_request_duration_seconds_count")!.samples.length).toBe(11);
  });

  it("names a provider/model the provider lists, as the catalog does", async () => {
    const upstream = mockUpstream();
    const gateway = await createTestGateway({
      providers: { up: openai({ baseURL: "http://up.test/v1", models: ["gpt-4o"] }) },
      plugins: [metrics()],
      upstream: inProcessUpstream(upstream.fetch),
    });
    expect((await gateway.post("/v1/chat/completions", chat("up/gpt-4o"))).status).toBe(200);
    await settled(gateway);
    const m = parse(await (await gateway.request("/metrics")).text());
    expect(m.value("switchyard_requests_total", { route: "up/gpt-4o", provider: "up", model: "gpt-4o", status: "200", fault: "none" })).toBe(1);
  });

  it("answers scrapes without the configured bearer token with 401", async () => {
    const token = "metrics-token-0123456789";
    const { gateway } = await gatewayWithUpstreams(["a"], [metrics({ token })]);
    const open = await gateway.request("/metrics");
    expect(open.status).toBe(401);
    expect(open.headers.get("www-authenticate")).toContain("Bearer");
    expect((await open.json()).error.type).toBe("authentication_error");
    expect((await gateway.request("/metrics", { headers: { authorization: "Bearer wrong-token-0123456789" } })).status).toBe(401);
    expect((await gateway.request("/metrics", { headers: { authorization: token } })).status).toBe(401);
    const ok = await gateway.request("/metrics", { headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain("switchyard_requests_in_flight");
    expect(() => metrics({ token: "short" })).toThrow(/at least 16 characters/);
  });

  it("counts an upstream's 429 apart from a gateway limiter's", async () => {
    const { gateway, up } = await gatewayWithUpstreams(["a"], [metrics()]);
    up.a.fail({ status: 429, headers: { "retry-after": "1" } });
    const res = await gateway.post("/v1/chat/completions", chat("a/m"));
    expect(res.status).toBe(429);
    expect((await res.json()).error.code).toBe("rate_limit_exceeded");
    await settled(gateway);
    const m = parse(await (await gateway.request("/metrics")).text());
    // `a/m` is a provider/model the config does not list: it counts under _other.
    expect(m.value("switchyard_rate_limited_requests_total", { route: "_other", fault: "provider" })).toBe(1);
    expect(m.value("switchyard_requests_total", { route: "_other", provider: "a", model: "_other", status: "429", fault: "provider" })).toBe(1);
  });

  it("escapes label values so quotes, backslashes and newlines survive a parser", async () => {
    const model = 'we"ird\\name';
    const { gateway } = await gatewayWithUpstreams(["a"], [route({ models: { [`odd-${model}`]: [{ provider: "a", model }] } }), metrics()]);
    expect((await gateway.post("/v1/chat/completions", chat(`odd-${model}`))).status).toBe(200);
    await settled(gateway);
    const text = await (await gateway.request("/metrics")).text();
    expect(text).toContain('model="we\\"ird\\\\name"');
    expect(parse(text).value("switchyard_requests_total", { route: `odd-${model}`, provider: "a", model, status: "200", fault: "none" })).toBe(1);
  });

  it("reports a log plugin whose stats throw, and still serves the other metrics", async () => {
    const broken = definePlugin({
      name: "broken-log",
      api: {
        log: {
          stats(): LogQueueStats {
            throw new Error("stats unavailable");
          },
          sinks: () => ({}),
          targets: [],
        },
      },
    });
    const { gateway } = await gatewayWithUpstreams(["a"], [broken, metrics()]);
    const res = await gateway.request("/metrics");
    expect(res.status).toBe(200);
    const m = parse(await res.text());
    expect(m.families.get("switchyard_log_queue_depth")!.samples).toEqual([]);
    expect(m.value("switchyard_requests_in_flight", {})).toBe(0);
    expect(gateway.reported.some((e) => e.message.includes('reading plugin "broken-log"'))).toBe(true);
  });

  it("refuses bad options at construction", () => {
    expect(() => metrics({ maxSeries: 0 })).toThrow(/maxSeries/);
    expect(() => metrics({ buckets: [1, 0.5] })).toThrow(/increase/);
    expect(() => metrics({ buckets: [] })).toThrow(/at least one bucket/);
  });
});
