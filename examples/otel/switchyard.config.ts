// Traces and metrics on the built-in mock providers. Run it through ./server.ts, which registers
// the OpenTelemetry SDK first (see the README's "Tracing and metrics"); with the plain CLI,
// tracing() is a no-op and /metrics still works.
import { defineConfig } from "switchyard";
import { mock } from "switchyard/providers";
import { cost, fallback, metrics, route, tracing } from "switchyard/plugins";

export default defineConfig({
  providers: {
    primary: mock({ latencyMs: 30, chunkDelayMs: 10 }),
    backup: mock({ latencyMs: 60, chunkDelayMs: 10 }),
  },
  plugins: [
    // Prompts stay out of spans unless captureContent is set.
    tracing({ captureContent: process.env.SWITCHYARD_TRACE_CONTENT === "1" }),
    route({ models: { fast: [{ provider: "primary", model: "small" }, { provider: "backup", model: "small" }] } }),
    fallback({ retries: 1 }),
    cost(),
    metrics({ path: "/metrics" }),
  ],
});
