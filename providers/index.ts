/**
 * Provider factories: `openai` (and any OpenAI-compatible server), `azure`, `anthropic`, `gemini`, `bedrock`,
 * the presets for OpenAI-format servers (Mistral, Groq, Together, Fireworks, DeepSeek, xAI,
 * OpenRouter, Ollama, vLLM, LM Studio), and the built-in `mock`.
 */
export { openai, type OpenAIProviderOptions } from "./openai.ts";
export { azure, type AzureProviderOptions } from "./azure.ts";
export { anthropic, type AnthropicProviderOptions } from "./anthropic.ts";
export { gemini, type GeminiProviderOptions } from "./gemini.ts";
export { bedrock, type BedrockProviderOptions } from "./bedrock.ts";
export { deepseek, fireworks, groq, lmstudio, mistral, ollama, openrouter, type PresetOptions, type PresetProvider, together, vllm, xai } from "./presets.ts";
export { mock, type MockProviderOptions } from "./mock.ts";
export type { ProviderAdapter, ProviderCall, ProviderReply, Timeouts } from "../core/provider.ts";
