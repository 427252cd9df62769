/**
 * Every error code the gateway and its built-in plugins raise, once, with the status a client gets,
 * whose fault it is and whether trying again may help. Clients branch on these codes, metrics
 * and logs group by them, and `docs/errors.md` is generated from this table (a test keeps the two
 * equal). Community plugins raise codes of their own; they need not be listed here.
 *
 * Each dialect renders a code in its own vocabulary: OpenAI clients get `code` and `type`
 * verbatim, Anthropic clients get the Anthropic error type of the status (see the docs table).
 */
import type { FaultClass } from "./errors.ts";

export interface ErrorCodeSpec {
  /** The HTTP status a client gets. Upstream codes carry the upstream's status where it says so. */
  readonly status: number;
  readonly fault: FaultClass;
  /** Whether the same request may succeed if tried again (fallback retries these). */
  readonly retryable: boolean;
  /** Who raises it: `core`, `server` (the runtime adapters' HTTP server) or the built-in plugin's name. */
  readonly source: string;
  /** When a client sees it. */
  readonly when: string;
}

/** The table; keys are the codes. */
export const ERROR_CODES = {
  // ── the request itself ───────────────────────────────────────────────────────────────────────
  invalid_json: { status: 400, fault: "client", retryable: false, source: "core", when: "The body is empty, not JSON, or not a JSON object." },
  invalid_utf8: { status: 400, fault: "client", retryable: false, source: "core", when: "The body is not valid UTF-8." },
  invalid_encoding: { status: 400, fault: "client", retryable: false, source: "core", when: "A gzip or deflate body does not decode." },
  body_read_failed: { status: 400, fault: "client", retryable: false, source: "core", when: "The body could not be read (the client broke the upload)." },
  json_too_deep: { status: 400, fault: "client", retryable: false, source: "core", when: "The body nests deeper than `limits.maxJsonDepth`." },
  unsupported_media_type: { status: 415, fault: "client", retryable: false, source: "core", when: "A JSON surface got another content type or an unknown content encoding." },
  request_too_large: { status: 413, fault: "client", retryable: false, source: "core", when: "The body is larger than `limits.maxBodyBytes`." },
  bad_request: { status: 400, fault: "client", retryable: false, source: "server", when: "The bytes are not an HTTP request the server can parse, or an HTTP/1.1 request has no Host header." },
  request_timeout: { status: 408, fault: "client", retryable: true, source: "server", when: "The headers or the whole request did not arrive within `server.headersTimeoutMs` / `server.requestTimeoutMs`." },
  request_header_fields_too_large: { status: 431, fault: "client", retryable: false, source: "server", when: "The header block is over `server.maxHeaderBytes`, or has more than `server.maxHeaders` fields." },
  missing_required_parameter: { status: 400, fault: "client", retryable: false, source: "core", when: "A field the dialect requires is missing (`param` names it)." },
  invalid_value: { status: 400, fault: "client", retryable: false, source: "core", when: "A field has the wrong type or value (`param` names it)." },
  unsupported_parameter: { status: 400, fault: "client", retryable: false, source: "core", when: "A translated request asks for something the target's dialect cannot express without changing its meaning." },
  server_state_required: { status: 400, fault: "client", retryable: false, source: "core", when: "A Responses API request refers to state kept on the server (`previous_response_id`, `conversation`, an `item_reference`, `background`) and its target does not speak the Responses API (`param` names the field)." },
  invalid_timeout: { status: 400, fault: "client", retryable: false, source: "core", when: "`x-switchyard-timeout-ms` is not a positive integer." },
  invalid_path: { status: 400, fault: "client", retryable: false, source: "core", when: "A model id in the path is not valid percent-encoding." },
  operation_not_supported: { status: 400, fault: "client", retryable: false, source: "core", when: "The routed provider does not serve this operation (embeddings, say)." },
  model_not_found: { status: 404, fault: "client", retryable: false, source: "core", when: "No route alias or `provider/model` matches the model." },
  not_found: { status: 404, fault: "client", retryable: false, source: "core", when: "No surface or plugin route serves the path." },
  method_not_allowed: { status: 405, fault: "client", retryable: false, source: "core", when: "The path exists, the method does not (`allow` lists the methods)." },
  client_closed_request: { status: 499, fault: "client", retryable: false, source: "core", when: "The client went away before the answer (logged; nobody receives it)." },

  // ── plugins refusing the request ─────────────────────────────────────────────────────────────
  host_not_allowed: { status: 403, fault: "policy", retryable: false, source: "hostGuard", when: "The `Host` header names no host the gateway is configured for (DNS rebinding defence)." },
  origin_not_allowed: { status: 403, fault: "policy", retryable: false, source: "hostGuard", when: "A browser request comes from a web origin that is not allowed." },
  invalid_api_key: { status: 401, fault: "policy", retryable: false, source: "auth", when: "The key is missing, unknown, disabled or expired." },
  model_not_allowed: { status: 403, fault: "policy", retryable: false, source: "auth", when: "The key may not use this model." },
  region_not_allowed: { status: 403, fault: "policy", retryable: false, source: "route", when: "`x-switchyard-region` names a region the key may not use." },
  region_unavailable: { status: 400, fault: "policy", retryable: false, source: "route", when: "The model has no target in the request's region (fault `client` when the region came from the header)." },
  rate_limit_exceeded: { status: 429, fault: "policy", retryable: true, source: "rateLimit", when: "A request, token or concurrency limit is reached (`Retry-After` says when); also an upstream's 429, with fault `provider`." },
  insufficient_quota: { status: 429, fault: "policy", retryable: false, source: "budget", when: "The key's or team's budget for the period is spent." },
  limits_unavailable: { status: 503, fault: "policy", retryable: true, source: "rateLimit, budget", when: "The counter store is unreachable and the plugin fails closed (`failOpen: false`)." },

  // ── guardrails (`guard`) ─────────────────────────────────────────────────────────────────────
  pii_detected: { status: 400, fault: "policy", retryable: false, source: "guard", when: "The request contains personal data or a secret of a kind the guard blocks (the message names the kind, never the value)." },
  blocked_term: { status: 400, fault: "policy", retryable: false, source: "guard", when: "The request contains a term the guard blocks." },
  input_too_long: { status: 400, fault: "policy", retryable: false, source: "guard", when: "The request's estimated input is over the guard's `input.maxTokens`." },
  output_blocked: { status: 422, fault: "policy", retryable: false, source: "guard", when: "The answer contains something the guard blocks: a whole answer is replaced by this error, a stream ends with it as an error event." },

  // ── the admin API (`admin`) ──────────────────────────────────────────────────────────────────
  invalid_admin_key: { status: 401, fault: "policy", retryable: false, source: "admin", when: "The admin key is missing or wrong (virtual keys cannot use the admin API)." },
  key_not_found: { status: 404, fault: "client", retryable: false, source: "admin", when: "No key has that id." },
  team_not_found: { status: 404, fault: "client", retryable: false, source: "admin", when: "No key belongs to that team." },
  conflict: { status: 409, fault: "client", retryable: false, source: "admin", when: "A key with that id or secret exists already." },
  body_too_large: { status: 413, fault: "client", retryable: false, source: "admin", when: "An admin request body is over its limit." },
  store_unavailable: { status: 503, fault: "gateway", retryable: true, source: "admin", when: "The key store cannot be reached; nothing was changed." },
  reload_unavailable: { status: 501, fault: "gateway", retryable: false, source: "admin", when: "The gateway does not run in a server that can reload it." },
  reload_failed: { status: 422, fault: "client", retryable: false, source: "admin", when: "In a reload result: the new config was refused and the old one keeps serving." },

  // ── the dashboard (`dashboard`) ──────────────────────────────────────────────────────────────
  session_required: { status: 401, fault: "policy", retryable: false, source: "dashboard", when: "A dashboard data call without a live session (log in with an admin key first)." },
  csrf_token_invalid: { status: 403, fault: "policy", retryable: false, source: "dashboard", when: "A dashboard call that changes something lacks the session's `x-csrf-token` header." },
  too_many_watchers: { status: 503, fault: "gateway", retryable: true, source: "dashboard", when: "The dashboard's live feed has `maxWatchers` dashboards connected already." },
  log_store_unavailable: { status: 503, fault: "gateway", retryable: true, source: "dashboard", when: "The Requests page or the Overview's history asked the log store (Postgres) and it cannot be read now." },
  invalid_range: { status: 400, fault: "client", retryable: false, source: "dashboard", when: "A dashboard history call named a range it does not offer, or from/to that are not dates, in the wrong order or over 31 days apart." },
  cross_origin_refused: { status: 403, fault: "policy", retryable: false, source: "dashboard", when: "A dashboard call that changes something came from another origin." },

  // ── upstream faults ──────────────────────────────────────────────────────────────────────────
  no_target_available: { status: 503, fault: "provider", retryable: true, source: "core", when: "Every target of the plan was skipped (open circuits) before any was tried." },
  circuit_open: { status: 503, fault: "provider", retryable: true, source: "circuitBreaker", when: "Recorded on an attempt the breaker skipped (`ctx.attempts`, logs); never sent on its own." },
  upstream_auth_failed: { status: 502, fault: "gateway", retryable: true, source: "core", when: "A provider refused the gateway's credentials (upstream 401/403)." },
  upstream_timeout: { status: 504, fault: "provider", retryable: true, source: "core", when: "A connect, first-byte, idle or total time limit passed." },
  upstream_unreachable: { status: 502, fault: "provider", retryable: true, source: "core", when: "The connection was refused, reset or broke before an answer." },
  upstream_overloaded: { status: 529, fault: "provider", retryable: true, source: "core", when: "The provider said it is overloaded (529; OpenAI clients get 503)." },
  upstream_error: { status: 500, fault: "provider", retryable: true, source: "core", when: "The provider failed with a 5xx (or 408/409); the status is the upstream's." },
  upstream_rejected: { status: 400, fault: "client", retryable: false, source: "core", when: "The provider refused the request with a 4xx and named no code of its own; the status is the upstream's." },
  upstream_invalid_response: { status: 502, fault: "provider", retryable: true, source: "core", when: "A translated answer is not valid in the provider's dialect." },
  upstream_stream_error: { status: 502, fault: "provider", retryable: false, source: "core", when: "A stream that had begun broke, stalled or reported an error; the client gets an error event." },

  // ── the gateway itself ───────────────────────────────────────────────────────────────────────
  internal_error: { status: 500, fault: "gateway", retryable: false, source: "core", when: "A bug or misconfiguration; a plugin's unexpected throw names the plugin and hook." },
} as const satisfies Readonly<Record<string, ErrorCodeSpec>>;
Object.freeze(ERROR_CODES);

/** A code the gateway or a built-in plugin raises. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** Whether `error` carries this code: branch on codes through this, and the compiler checks the name. */
export function hasCode(error: { readonly code: string | null } | null | undefined, code: ErrorCode): boolean {
  return error != null && error.code === code;
}

/** The table's entry for a code, or undefined for a code the gateway does not raise. */
export function errorCodeSpec(code: string | null): ErrorCodeSpec | undefined {
  return code !== null && Object.hasOwn(ERROR_CODES, code) ? ERROR_CODES[code as ErrorCode] : undefined;
}
