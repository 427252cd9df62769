// Run: npm run switchyard -- start --config examples/plugin/switchyard.config.ts
import { defineConfig } from "switchyard";
import { mock } from "switchyard/providers";
import { route } from "switchyard/plugins";
import { requestLog } from "./request-log.ts";

export default defineConfig({
  providers: { mock: mock() },
  plugins: [route({ models: { mock: [{ provider: "mock", model: "mock" }] } }), requestLog({ label: "demo" })],
});
