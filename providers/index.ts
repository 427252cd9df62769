/** Provider factories: `openai` (and any OpenAI-compatible server), `anthropic`, `gemini`, and the built-in `mock`. */
export { openai, type OpenAIProviderOptions } from "./openai.ts";
export { anthropic, type AnthropicProviderOptions } from "./anthropic.ts";
export { gemini, type GeminiProviderOptions } from "./gemini.ts";
export { mock, type MockProviderOptions } from "./mock.ts";
export type { ProviderAdapter, ProviderCall, ProviderReply, Timeouts } from "../core/provider.ts";
