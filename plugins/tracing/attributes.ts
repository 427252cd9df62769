/**
 * Attribute names from the OpenTelemetry semantic conventions the tracing plugin emits: GenAI
 * (development status, as of semantic conventions 1.37+), HTTP and error. Spelled out
 * here rather than imported so the plugin depends on `@opentelemetry/api` alone.
 */
export const GEN_AI_OPERATION_NAME = "gen_ai.operation.name";
export const GEN_AI_PROVIDER_NAME = "gen_ai.provider.name";
/** The pre-1.37 name of `gen_ai.provider.name`, still read by many backends. */
export const GEN_AI_SYSTEM = "gen_ai.system";
export const GEN_AI_REQUEST_MODEL = "gen_ai.request.model";
export const GEN_AI_REQUEST_MAX_TOKENS = "gen_ai.request.max_tokens";
export const GEN_AI_REQUEST_TEMPERATURE = "gen_ai.request.temperature";
export const GEN_AI_REQUEST_TOP_P = "gen_ai.request.top_p";
export const GEN_AI_RESPONSE_MODEL = "gen_ai.response.model";
export const GEN_AI_USAGE_INPUT_TOKENS = "gen_ai.usage.input_tokens";
export const GEN_AI_USAGE_OUTPUT_TOKENS = "gen_ai.usage.output_tokens";
export const GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS = "gen_ai.usage.cache_read.input_tokens";
export const GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS = "gen_ai.usage.cache_creation.input_tokens";
export const GEN_AI_USAGE_REASONING_OUTPUT_TOKENS = "gen_ai.usage.reasoning.output_tokens";
/** Opt-in: the chat history sent to the model, as JSON. */
export const GEN_AI_INPUT_MESSAGES = "gen_ai.input.messages";

export const ERROR_TYPE = "error.type";
export const HTTP_REQUEST_METHOD = "http.request.method";
export const HTTP_RESPONSE_STATUS_CODE = "http.response.status_code";
export const HTTP_ROUTE = "http.route";
export const URL_PATH = "url.path";

/** The gateway's own attributes. */
export const SWITCHYARD_REQUEST_ID = "switchyard.request.id";
export const SWITCHYARD_PROVIDER = "switchyard.provider";
export const SWITCHYARD_ATTEMPT_INDEX = "switchyard.attempt.index";
export const SWITCHYARD_ATTEMPT_OUTCOME = "switchyard.attempt.outcome";
export const SWITCHYARD_FAULT = "switchyard.fault";
export const SWITCHYARD_ATTEMPTS = "switchyard.attempts";
export const SWITCHYARD_COST_USD = "switchyard.cost_usd";

/** `gen_ai.operation.name` per surface. */
export const OPERATION: Readonly<Record<string, string>> = Object.freeze({ chat: "chat", messages: "chat", responses: "chat", gemini: "chat", embeddings: "embeddings", gemini_embed: "embeddings", count_tokens: "count_tokens", gemini_count_tokens: "count_tokens" });
