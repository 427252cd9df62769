// The gateway with no plugins: requests name `upstream/bench-model` directly.
// BENCH_UPSTREAM_URL is the bench's mock upstream (set by bench/e2e/run.ts).
import { defineConfig } from "switchyard";
import { openai } from "switchyard/providers";

export default defineConfig({
  providers: { upstream: openai({ baseURL: `${process.env.BENCH_UPSTREAM_URL}/v1`, apiKey: "sk-upstream-bench" }) },
});
