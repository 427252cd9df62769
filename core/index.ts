/**
 * The `switchyard` entry: build a gateway from a config, write plugins, raise errors.
 * Everything here is web-standard and runs unchanged on Node, Deno and Bun.
 */
export { createGateway, type Gateway, type GatewayOptions } from "./gateway.ts";
export { reloadingGateway, type ReloadingGateway, type ReloadingGatewayOptions } from "./reloading.ts";
export type { ConfigStatus, ReloadResult, ServerControl } from "./server-control.ts";
export { ConfigError, defineConfig, type GatewayConfig, type GatewayLimits, type ServerLimits } from "./config.ts";
export {
  definePlugin,
  HOOK_NAMES,
  HOOKS,
  type FilterModelsHook,
  type Hook,
  type HookFilter,
  type HookKind,
  type HookKindOf,
  type HookMap,
  type HookName,
  type HookSpec,
  type PluginHooks,
  type OnAttemptErrorHook,
  type OnAttemptHook,
  type OnChunkHook,
  type OnCompleteHook,
  type OnRequestHook,
  type OnResponseHook,
  type Plugin,
  type ReadyCheck,
  type RouteHandler,
  type RouteHook,
  type RouteMethod,
  type SetupContext,
} from "./plugin.ts";
export { PluginChainError } from "./plugin-chain.ts";
export {
  type BudgetApi,
  type CircuitBreakerApi,
  type CircuitSnapshot,
  type CircuitState,
  type ExposedApi,
  type GuardApi,
  type GuardCounts,
  type LogApi,
  type PluginApi,
  type PluginApiName,
  pluginApis,
  type RateLimitApi,
} from "./plugin-api.ts";
export { ERROR_CODES, type ErrorCode, errorCodeSpec, type ErrorCodeSpec, hasCode } from "./error-codes.ts";
export { type CounterStore, type LeaseDecision, type RateDecision, type RateRule, StoreUnavailableError } from "./counter-store.ts";
export {
  type AuditEntry,
  type BudgetPeriod,
  KeyConflictError,
  type KeyRecord,
  type KeySet,
  type KeyStore,
  type KeyStoreHealth,
  type Limits,
  type SpendQuery,
  type SpendRow,
  type SpendTotal,
  type TeamRecord,
} from "./key-store.ts";
export { type ContextVariables, RequestContext, type RequestBody } from "./context.ts";
export type {
  CanonicalMessage,
  CanonicalRequest,
  CanonicalResponse,
  CanonicalTool,
  ContentPart,
  FinishReason,
  StreamBlock,
  StreamEvent,
  TextPart,
  ToolCallPart,
  ToolResultPart,
} from "./canonical.ts";
export type { Dialect } from "./dialect.ts";
export {
  badRequest,
  type FaultClass,
  GatewayError,
  type GatewayErrorOptions,
  isGatewayError,
  modelNotFound,
} from "./errors.ts";
export type { ProviderAdapter, ProviderCall, ProviderReply, Timeouts } from "./provider.ts";
export { fetchUpstream, type UpstreamClient, type UpstreamRequest, type UpstreamResponse } from "./upstream.ts";
export { networkError, parseRetryAfter, timeoutError, upstreamError } from "./upstream-errors.ts";
export { extractUsageFromJson, usageFromOpenAI } from "../dialects/openai/usage.ts";
export { buildLogRecord, LOG_SCHEMA, logRecordOf, type LogAttempt, type LogBody, type LogBodyOptions, type LogRecord, type LogRecordOptions } from "./log-record.ts";
export { LogQueue, type LogQueueOptions, type LogQueueStats } from "./log-queue.ts";
export type { LogSink } from "./log-sink.ts";
export type { Attempt, AttemptDecision, AttemptOutcome, ModelEntry, Principal, Surface, Target, Usage, WireFormat } from "./types.ts";
export { VERSION } from "./version.ts";
