// The OpenTelemetry Node SDK, sending spans over OTLP/HTTP to a collector
// (OTEL_EXPORTER_OTLP_ENDPOINT, default http://localhost:4318). Register it before the gateway is
// built; the tracing plugin finds it through @opentelemetry/api.
import { context, propagation, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";

export function registerTracing(serviceName = process.env.OTEL_SERVICE_NAME ?? "switchyard"): TracerProvider {
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ "service.name": serviceName }),
    // Batched, bounded and off the request path; the exporter reads the OTEL_EXPORTER_OTLP_* variables.
    spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter(), maxQueueSize: 4096, scheduledDelayMillis: 1000 })],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));
  trace.setGlobalTracerProvider(provider);
  return provider;
}
