/** Provider factories: `openai` (and any OpenAI-compatible server) and the built-in `mock`. */
export { openai, type OpenAIProviderOptions } from "./openai.ts";
export { mock, type MockProviderOptions } from "./mock.ts";
export type { ProviderAdapter, ProviderCall, ProviderReply, Timeouts } from "../core/provider.ts";
