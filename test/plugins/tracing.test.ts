import { propagation, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { AlwaysOffSampler, InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { circuitBreaker, cost, fallback, route } from "../../plugins/index.ts";
import { tracing } from "../../plugins/tracing/index.ts";
import { readSSE } from "../../testing/index.ts";
import { chat, gatewayWithUpstreams, settled } from "../reliability/helpers.ts";

function sdk() {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  // Export is asynchronous even for the simple processor.
  const spans = async (): Promise<ReadableSpan[]> => {
    await provider.forceFlush();
    return exporter.getFinishedSpans();
  };
  return { provider, spans };
}

const ms = (span: ReadableSpan, which: "startTime" | "endTime") => span[which][0] * 1000 + span[which][1] / 1e6;
const fastRoute = () => route({ models: { fast: [{ provider: "a", model: "m1" }, { provider: "b", model: "m2" }] } });

describe("tracing", () => {
  beforeAll(() => {
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  });
  afterAll(() => {
    propagation.disable();
  });

  it("makes a SERVER span per request and a CLIENT span per attempt, with GenAI attributes, and sends each attempt's context upstream", async () => {
    const { provider, spans } = sdk();
    const { gateway, up } = await gatewayWithUpstreams(["a", "b"], [tracing({ tracerProvider: provider }), fastRoute(), fallback({ retries: 0 }), cost({ prices: { m2: { input: 1, output: 1 } } })]);
    up.a.fail({ status: 500 });
    const res = await gateway.post("/v1/chat/completions", chat("fast", { max_tokens: 50, temperature: 0.3 }));
    expect(res.status).toBe(200);
    await settled(gateway);

    const all = await spans();
    expect(all.map((s) => s.name).sort()).toEqual(["chat fast", "chat m1", "chat m2"]);
    const request = all.find((s) => s.name === "chat fast")!;
    const [first, second] = [all.find((s) => s.name === "chat m1")!, all.find((s) => s.name === "chat m2")!];
    expect(request.kind).toBe(SpanKind.SERVER);
    expect(request.parentSpanContext).toBeUndefined();
    expect(request.attributes).toMatchObject({
      "gen_ai.operation.name": "chat",
      "gen_ai.request.model": "fast",
      "gen_ai.request.max_tokens": 50,
      "gen_ai.request.temperature": 0.3,
      "gen_ai.response.model": "m2",
      "gen_ai.provider.name": "openai",
      "http.request.method": "POST",
      "http.route": "/v1/chat/completions",
      "http.response.status_code": 200,
      "switchyard.provider": "b",
      "switchyard.attempts": 2,
      "switchyard.request.id": res.headers.get("x-request-id"),
    });
    expect(request.attributes["gen_ai.usage.input_tokens"]).toBeGreaterThan(0);
    expect(request.attributes["gen_ai.usage.output_tokens"]).toBeGreaterThan(0);
    expect(request.attributes["switchyard.cost_usd"]).toBeGreaterThan(0);
    expect(request.attributes["gen_ai.input.messages"]).toBeUndefined();
    expect(request.status.code).toBe(SpanStatusCode.UNSET);

    for (const attempt of [first, second]) {
      expect(attempt.kind).toBe(SpanKind.CLIENT);
      expect(attempt.spanContext().traceId).toBe(request.spanContext().traceId);
      expect(attempt.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
      // One clock for all three spans: the attempts lie within the request (to float rounding).
      expect(ms(attempt, "startTime")).toBeGreaterThanOrEqual(ms(request, "startTime") - 0.01);
      expect(ms(attempt, "endTime")).toBeLessThanOrEqual(ms(request, "endTime") + 0.01);
    }
    expect(first.attributes).toMatchObject({ "gen_ai.request.model": "m1", "gen_ai.provider.name": "openai", "gen_ai.system": "openai", "switchyard.provider": "a", "http.response.status_code": 500, "error.type": "upstream_error", "switchyard.attempt.outcome": "error" });
    expect(first.status.code).toBe(SpanStatusCode.ERROR);
    expect(second.attributes).toMatchObject({ "gen_ai.request.model": "m2", "gen_ai.response.model": "m2", "switchyard.attempt.outcome": "ok", "switchyard.attempt.index": 1 });
    expect(second.attributes["gen_ai.usage.input_tokens"]).toBe(request.attributes["gen_ai.usage.input_tokens"]);
    expect(second.status.code).toBe(SpanStatusCode.UNSET);
    expect(ms(second, "startTime")).toBeGreaterThanOrEqual(ms(first, "endTime") - 0.01);

    // Each upstream call carries its own attempt span as parent.
    const traceparent = (headers: Record<string, string>) => headers.traceparent?.split("-");
    expect(traceparent(up.a.calls[0].headers)).toEqual(["00", request.spanContext().traceId, first.spanContext().spanId, "01"]);
    expect(traceparent(up.b.calls[0].headers)).toEqual(["00", request.spanContext().traceId, second.spanContext().spanId, "01"]);
  });

  it("shows a target an open circuit passed over as an event, not a span", async () => {
    const { provider, spans } = sdk();
    const { gateway, up } = await gatewayWithUpstreams(["a", "b"], [tracing({ tracerProvider: provider }), fastRoute(), fallback({ retries: 0 }), circuitBreaker({ failures: 1 })]);
    up.a.fail({ status: 500 });
    await (await gateway.post("/v1/chat/completions", chat("fast"))).text(); // opens a's circuit
    await settled(gateway);
    await (await gateway.post("/v1/chat/completions", chat("fast"))).text();
    await settled(gateway);
    const all = await spans();
    const second = all.filter((s) => s.kind === SpanKind.SERVER)[1];
    expect(second.events.map((e) => [e.name, e.attributes?.["switchyard.provider"]])).toEqual([["switchyard.attempt.skipped", "a"]]);
    const children = all.filter((s) => s.parentSpanContext?.spanId === second.spanContext().spanId);
    expect(children.map((s) => s.attributes["switchyard.provider"])).toEqual(["b"]);
    expect(second.attributes["switchyard.attempts"]).toBe(1);
  });

  it("continues an incoming traceparent", async () => {
    const { provider, spans } = sdk();
    const { gateway } = await gatewayWithUpstreams(["a"], [tracing({ tracerProvider: provider })]);
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const parent = "00f067aa0ba902b7";
    await (await gateway.post("/v1/chat/completions", chat("a/m"), { traceparent: `00-${traceId}-${parent}-01` })).text();
    await settled(gateway);
    const request = (await spans()).find((s) => s.kind === SpanKind.SERVER)!;
    expect(request.spanContext().traceId).toBe(traceId);
    expect(request.parentSpanContext?.spanId).toBe(parent);
  });

  it("passes a sampled-out decision upstream without recording spans", async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new TracerProvider({ sampler: new AlwaysOffSampler(), spanProcessors: [new SimpleSpanProcessor({ exporter })] });
    const { gateway, up } = await gatewayWithUpstreams(["a"], [tracing({ tracerProvider: provider })]);
    const traceId = "0af7651916cd43dd8448eb211c80319c";
    await (await gateway.post("/v1/chat/completions", chat("a/m"), { traceparent: `00-${traceId}-b7ad6b7169203331-01` })).text();
    await settled(gateway);
    await provider.forceFlush();
    expect(exporter.getFinishedSpans()).toEqual([]);
    expect(up.a.calls[0].headers.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-00$`));
  });

  it("marks failures: error.type on every failed request, ERROR status for 5xx only, and a span for a body that never parsed", async () => {
    const { provider, spans } = sdk();
    const { gateway, up } = await gatewayWithUpstreams(["a"], [tracing({ tracerProvider: provider })]);
    expect((await gateway.post("/v1/chat/completions", chat("nope"))).status).toBe(404);
    up.a.fail({ status: 503 });
    expect((await gateway.post("/v1/chat/completions", chat("a/m"))).status).toBe(503);
    expect((await gateway.post("/v1/chat/completions", "{not json")).status).toBe(400);
    await settled(gateway);
    const servers = (await spans()).filter((s) => s.kind === SpanKind.SERVER);
    expect(servers.map((s) => [s.name, s.attributes["http.response.status_code"], s.attributes["error.type"], s.status.code])).toEqual([
      ["chat nope", 404, "model_not_found", SpanStatusCode.UNSET],
      ["chat a/m", 503, "upstream_error", SpanStatusCode.ERROR],
      ["chat", 400, "invalid_json", SpanStatusCode.UNSET],
    ]);
    expect(servers[1].attributes["switchyard.fault"]).toBe("provider");
  });

  it("ends a streamed attempt when the stream ends, with its usage", async () => {
    const { provider, spans } = sdk();
    const { gateway } = await gatewayWithUpstreams(["a"], [tracing({ tracerProvider: provider })], { chunkDelayMs: 5 });
    const res = await gateway.post("/v1/chat/completions", chat("a/m", { stream: true }));
    expect((await readSSE(res)).length).toBeGreaterThan(1);
    await settled(gateway);
    const attempt = (await spans()).find((s) => s.kind === SpanKind.CLIENT)!;
    expect(attempt.attributes["gen_ai.usage.output_tokens"]).toBeGreaterThan(0);
    expect(ms(attempt, "endTime") - ms(attempt, "startTime")).toBeGreaterThan(0);
  });

  it("records the input messages only when captureContent is on, cut to maxContentLength", async () => {
    const { provider, spans } = sdk();
    const { gateway } = await gatewayWithUpstreams(["a"], [tracing({ tracerProvider: provider, captureContent: true, maxContentLength: 20 })]);
    await (await gateway.post("/v1/chat/completions", chat("a/m"))).text();
    await settled(gateway);
    const request = (await spans()).find((s) => s.kind === SpanKind.SERVER)!;
    expect(request.attributes["gen_ai.input.messages"]).toBe(JSON.stringify([{ role: "user", content: "hello" }]).slice(0, 20));
  });

  it("does nothing without an SDK: no spans and no trace headers upstream", async () => {
    expect(trace.getTracerProvider().getTracer("x").startSpan("probe").isRecording()).toBe(false);
    const { gateway, up } = await gatewayWithUpstreams(["a"], [tracing()]);
    const res = await gateway.post("/v1/chat/completions", chat("a/m"));
    expect(res.status).toBe(200);
    await settled(gateway);
    expect(up.a.calls[0].headers.traceparent).toBeUndefined();
    expect(gateway.reported).toEqual([]);
  });
});
