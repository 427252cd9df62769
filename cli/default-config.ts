import { defineConfig, type GatewayConfig } from "../core/config.ts";
import { mock } from "../providers/mock.ts";
import { openai } from "../providers/openai.ts";
import { route } from "../plugins/route/index.ts";
import type { ProviderAdapter } from "../core/provider.ts";

/**
 * What `switchyard start` serves with no config file: the `mock` model, so a new user gets a
 * working gateway with no keys and no services, plus OpenAI when `OPENAI_API_KEY` is set.
 */
export function embeddedConfig(env: Record<string, string | undefined>): GatewayConfig {
  const providers: Record<string, ProviderAdapter> = { mock: mock() };
  if (env.OPENAI_API_KEY) providers.openai = openai({ apiKey: env.OPENAI_API_KEY, baseURL: env.OPENAI_BASE_URL });
  return defineConfig({
    providers,
    plugins: [route({ models: { mock: [{ provider: "mock", model: "mock" }] } })],
  });
}
