/**
 * One error type for everything the gateway answers with. Its fields are neutral (the vocabulary
 * is OpenAI's: `type`, `code`, `param`); each dialect renders it in its clients' shape, OpenAI's
 * `{"error":{"message","type","code","param"}}` or Anthropic's `{"type":"error","error":{…}}`.
 *
 * `fault` says whose fault it was, which drives retries, metrics and logs:
 * - client:   the request itself is wrong (bad JSON, unknown model, client went away)
 * - policy:   a plugin refused it (auth, quota, rate limit)
 * - provider: the upstream failed (5xx, 429, timeout, connection error)
 * - gateway:  a bug or misconfiguration on our side
 */
export type FaultClass = "client" | "policy" | "provider" | "gateway";

export interface GatewayErrorOptions {
  status: number;
  message: string;
  type?: string;
  code?: string | null;
  param?: string | null;
  fault?: FaultClass;
  /** Whether trying again (same or another target) may succeed. */
  retryable?: boolean;
  /** Milliseconds the upstream asked us to wait, from `Retry-After`. */
  retryAfterMs?: number;
  headers?: Record<string, string>;
  /** What the upstream said, when the error is a provider's answer (for logs; never sent raw). */
  upstream?: UpstreamErrorInfo;
  cause?: unknown;
}

/** An upstream's error answer, kept on the error for the log record (redacted there). */
export interface UpstreamErrorInfo {
  readonly status: number;
  readonly type: string | null;
  readonly code: string | null;
  readonly requestId: string | null;
  /** The raw body as the upstream sent it. */
  readonly body: string;
}

const TYPE_BY_STATUS: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "invalid_request_error",
  405: "invalid_request_error",
  408: "timeout_error",
  409: "invalid_request_error",
  413: "invalid_request_error",
  415: "invalid_request_error",
  422: "invalid_request_error",
  429: "rate_limit_error",
};

export class GatewayError extends Error {
  readonly status: number;
  readonly type: string;
  readonly code: string | null;
  readonly param: string | null;
  readonly fault: FaultClass;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly headers: Record<string, string> | undefined;
  readonly upstream: UpstreamErrorInfo | undefined;
  /** The plugin and hook that raised it, filled in by the hook runner. */
  plugin: string | undefined;
  hook: string | undefined;

  constructor(options: GatewayErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "GatewayError";
    this.status = options.status;
    this.type = options.type ?? TYPE_BY_STATUS[options.status] ?? (options.status >= 500 ? "api_error" : "invalid_request_error");
    this.code = options.code ?? null;
    this.param = options.param ?? null;
    this.fault = options.fault ?? (options.status >= 500 ? "gateway" : "client");
    this.retryable = options.retryable ?? false;
    this.retryAfterMs = options.retryAfterMs;
    this.headers = options.headers;
    this.upstream = options.upstream;
    this.plugin = undefined;
    this.hook = undefined;
  }

  toJSON(): { error: { message: string; type: string; code: string | null; param: string | null } } {
    return { error: { message: this.message, type: this.type, code: this.code, param: this.param } };
  }

  /**
   * The error as an OpenAI-shaped answer. Inside the request path, throw the error instead: the
   * gateway renders it in the client's own dialect (an Anthropic client gets Anthropic's shape).
   */
  toResponse(extraHeaders?: Record<string, string> | null): Response {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (extraHeaders) Object.assign(headers, extraHeaders);
    // The error's own headers win: a 429's Retry-After and limits describe this refusal.
    if (this.headers) Object.assign(headers, this.headers);
    return new Response(JSON.stringify(this.toJSON()), { status: this.status, headers });
  }
}

export function isGatewayError(value: unknown): value is GatewayError {
  return value instanceof GatewayError;
}

export function badRequest(message: string, param: string | null = null, code: string | null = null): GatewayError {
  return new GatewayError({ status: 400, message, param, code, fault: "client" });
}

export function modelNotFound(model: string): GatewayError {
  return new GatewayError({
    status: 404,
    message: `The model '${model}' does not exist or you do not have access to it.`,
    code: "model_not_found",
    param: "model",
    fault: "client",
  });
}

export function notFound(path: string): GatewayError {
  return new GatewayError({ status: 404, message: `Unknown path: ${path}`, code: "not_found", fault: "client" });
}

export function methodNotAllowed(method: string, path: string, allow: string): GatewayError {
  return new GatewayError({
    status: 405,
    message: `Method ${method} is not allowed on ${path}. Use ${allow}.`,
    code: "method_not_allowed",
    fault: "client",
    headers: { allow },
  });
}

export function payloadTooLarge(limit: number): GatewayError {
  return new GatewayError({
    status: 413,
    message: `Request body is larger than the limit of ${limit} bytes.`,
    code: "request_too_large",
    fault: "client",
  });
}

/** The client went away before we answered; 499 is the de-facto status for that in logs. */
export function clientClosed(): GatewayError {
  return new GatewayError({ status: 499, message: "Client closed the request.", code: "client_closed_request", fault: "client" });
}

/** Every target of the plan was passed over (open circuits) before any was tried. */
export function noTargetAvailable(model: string): GatewayError {
  return new GatewayError({
    status: 503,
    message: `No target is available for the model '${model}' right now: every target was skipped (circuit open). Try again shortly.`,
    type: "api_error",
    code: "no_target_available",
    fault: "provider",
    retryable: true,
  });
}

export function internalError(message: string, cause?: unknown): GatewayError {
  return new GatewayError({ status: 500, message, code: "internal_error", fault: "gateway", cause });
}

/** Coerce anything thrown into a GatewayError, keeping a GatewayError as it is. */
export function toGatewayError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return internalError(`Internal gateway error: ${message}`, error);
}
