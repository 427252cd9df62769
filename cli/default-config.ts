import { defineConfig, type GatewayConfig } from "../core/config.ts";
import { mock } from "../providers/mock.ts";
import { openai } from "../providers/openai.ts";
import { hostGuard } from "../plugins/host-guard/index.ts";
import { log } from "../plugins/log/index.ts";
import { route } from "../plugins/route/index.ts";
import type { ProviderAdapter } from "../core/provider.ts";
import { fileSink } from "../sinks/file.ts";

/** Where the embedded default logs, relative to the working directory. */
export const DEFAULT_LOG_PATH = "logs/requests.jsonl";

/**
 * What `switchyard start` serves with no config file: the `mock` model, so a new user gets a
 * working gateway with no keys and no services, plus OpenAI when `OPENAI_API_KEY` is set. Every
 * request is logged to `logs/requests.jsonl`, rotated daily or at 64 MiB, five files kept.
 *
 * It has no auth, so it is for this machine only: the CLI serves it on loopback addresses alone,
 * and `hostGuard()` refuses any `Host` but a loopback name and any browser origin, so neither a
 * DNS-rebinding page nor a cross-site form can make a visitor's browser spend the OpenAI key.
 */
export function embeddedConfig(env: Record<string, string | undefined>): GatewayConfig {
  const providers: Record<string, ProviderAdapter> = { mock: mock() };
  if (env.OPENAI_API_KEY) providers.openai = openai({ apiKey: env.OPENAI_API_KEY, baseURL: env.OPENAI_BASE_URL });
  return defineConfig({
    providers,
    plugins: [
      hostGuard(),
      route({ models: { mock: [{ provider: "mock", model: "mock" }] } }),
      log({ sinks: [fileSink({ path: DEFAULT_LOG_PATH, rotate: { maxBytes: 64 * 1024 * 1024, maxAgeMs: 86_400_000, keep: 5 } })] }),
    ],
  });
}
