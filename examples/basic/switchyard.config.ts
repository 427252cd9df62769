// Run: npm run switchyard -- start --config examples/basic/switchyard.config.ts
// Serves `fast` from OpenAI when OPENAI_API_KEY is set, falling back to the built-in mock otherwise.
import { defineConfig } from "switchyard";
import { mock, openai } from "switchyard/providers";
import { auth, route } from "switchyard/plugins";

const hasOpenAI = Boolean(process.env.OPENAI_API_KEY);

export default defineConfig({
  providers: {
    mock: mock({ chunkDelayMs: 20 }),
    ...(hasOpenAI ? { openai: openai({ apiKey: process.env.OPENAI_API_KEY }) } : {}),
  },
  plugins: [
    auth({ keys: [{ id: "demo", key: process.env.SWITCHYARD_DEMO_KEY ?? "sk-switchyard-demo", models: ["fast", "mock/*"] }] }),
    route({
      models: {
        fast: hasOpenAI ? [{ provider: "openai", model: "gpt-4o-mini" }, { provider: "mock", model: "mock" }] : [{ provider: "mock", model: "mock" }],
      },
    }),
  ],
});
