// Run: npm run build && node scripts/run-ts.mjs examples/otel/server.ts
// A gateway with tracing exported over OTLP/HTTP and Prometheus metrics at /metrics.
import { createGateway } from "switchyard";
import { nodeUpstream, serve } from "switchyard/node";
import { registerTracing } from "./otel.ts";
import config from "./switchyard.config.ts";

const tracerProvider = registerTracing();
const gateway = await createGateway({ ...config, upstream: nodeUpstream() });
const server = await serve(gateway, { port: Number(process.env.PORT ?? 8787), handleSignals: false });
console.log(`switchyard on ${server.url} (metrics at ${server.url}/metrics, spans to ${process.env.OTEL_EXPORTER_OTLP_ENDPOINT ?? "http://localhost:4318"})`);

// Drain requests first, then flush the spans they produced, then exit.
const stop = (): void => {
  process.off("SIGTERM", stop);
  process.off("SIGINT", stop);
  server
    .shutdown()
    .then(() => tracerProvider.shutdown())
    .then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
