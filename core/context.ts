import { type AbortWatch, realSignal, watchOf } from "./abort-watch.ts";
import { freezeJson } from "./body.ts";
import type { CanonicalRequest } from "./canonical.ts";
import type { Dialect } from "./dialect.ts";
import type { GatewayError } from "./errors.ts";
import { looksSecret } from "./redact.ts";
import { ResponseRecord } from "./response-record.ts";
import type { Attempt, Operation, Principal, Surface, Target, Usage } from "./types.ts";
import { utf8Length } from "./utf8.ts";

/**
 * Per-plugin request state, typed by interface augmentation so public types need no generics:
 *
 * ```ts
 * declare module "switchyard" {
 *   interface ContextVariables { myPluginStartedAt?: number }
 * }
 * ```
 * Declare members optional: a plugin that reads a variable cannot know that its writer ran.
 * The built-in plugins' variables are declared here rather than beside each plugin: JSR rejects
 * published modules that augment another module's types.
 */
export interface ContextVariables {
  /** The id of the key that authenticated the request (set by `auth`). */
  authKeyId?: string;
  /** What the response cache did for this request (set by `cache`). */
  cache?: "hit" | "miss" | "bypass";
  /** Targets the circuit breaker passed over for this request (`provider/model`). */
  circuitSkipped?: string[];
  /**
   * What the request cost in USD (set by `cost`): 0 when no provider served it, null when the
   * served model has no known price or the provider reported no usage.
   */
  costUsd?: number | null;
  /** The region this request is routed to (set by `route` when targets name regions). */
  routeRegion?: string | null;
}

/** A parsed request body: the client's JSON object, deeply frozen; `setBody` replaces it. */
export type RequestBody = Record<string, unknown>;

let sequence = 0;
const ID_PREFIX = /* @__PURE__ */ crypto.randomUUID().slice(0, 8);

/** A fresh request id, for requests and for answers the router makes itself. */
export function nextRequestId(): string {
  sequence = (sequence + 1) % Number.MAX_SAFE_INTEGER;
  return `req_${ID_PREFIX}${sequence.toString(36)}`;
}

/**
 * A client's `x-request-id` is honoured when it is a short token of safe characters that does not
 * look like a credential: it ends up in logs, headers and traces verbatim.
 */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestIdFor(headers: Headers): string {
  const incoming = headers.get("x-request-id");
  return incoming !== null && SAFE_REQUEST_ID.test(incoming) && !looksSecret(incoming) ? incoming : nextRequestId();
}

/** How a request came in: its surface, the dialect its client speaks, and what it asks for. */
export interface SurfaceInfo {
  readonly name: Surface;
  readonly dialect: Dialect;
  readonly operation: Operation | null;
  estimateInputTokens(body: RequestBody): number;
  maxOutputTokens(body: RequestBody): number | null;
}

/**
 * Everything about one request. The shape is fixed at construction (every field initialised in
 * the constructor, in one order) so the engine keeps a single hidden class on the hot path.
 */
export class RequestContext {
  readonly id: string;
  readonly request: Request;
  readonly surface: Surface;
  /** The wire format the client speaks; errors and answers are rendered in it. */
  readonly dialect: Dialect;
  /** What the request asks a provider to do; null for surfaces no provider serves (`models`). */
  readonly operation: Operation | null;
  /** Aborts when the client goes away: the light form the request path listens on (see abort-watch.ts). */
  readonly watch: AbortWatch;
  /** `performance.now()` at arrival; timings on the context are relative to it. */
  readonly startedAt: number;
  /** Wall-clock arrival time (ms since epoch), for logs. */
  readonly receivedAt: number;

  /** The model as the client asked for it (an alias or `provider/model`). */
  readonly model: string;
  readonly stream: boolean;

  principal: Principal | null;
  /** The ordered plan chosen by routing; the attempt loop walks it. */
  targets: readonly Target[] | null;
  readonly attempts: Attempt[];
  /** The target that produced the response, once one did. */
  served: Target | null;
  usage: Usage | null;
  status: number;
  error: GatewayError | null;
  /** ms from arrival to the first byte of the upstream response. */
  firstByteMs: number;
  /** ms from arrival to the end of the response (stream end for streams). */
  durationMs: number;
  /** Headers plugins want on the client response (rate-limit headers, for example). */
  responseHeaders: Record<string, string> | null;
  /** What the client was sent (text or streamed bytes): the one record logs and the cache read. */
  readonly response: ResponseRecord;
  /**
   * Request fields the serving target could not honour and the gateway left out while translating
   * (also sent as `x-switchyard-dropped` and logged); null when nothing was dropped.
   */
  dropped: readonly string[] | null;
  readonly vars: ContextVariables;
  /**
   * The request's log record without bodies, once a plugin built it (see `logRecordOf`), so the
   * log plugin and the dashboard share one. Typed loosely: core/log-record.ts owns its shape.
   */
  plainLogRecord: object | null;

  /** The body exactly as the client sent it; forwarded as-is when nothing changes it. */
  readonly rawBody: string;
  private rawBytes: number;
  private parsed: Readonly<RequestBody> | null;
  private changed: boolean;
  private neutral: CanonicalRequest | null;
  private inputEstimate: number;
  private readonly info: SurfaceInfo;

  /** `rawBodyBytes`: the body's size in UTF-8 bytes when the reader counted it; counted from `rawBody` on first use otherwise. */
  constructor(request: Request, surface: SurfaceInfo, body: RequestBody | null, model: string, stream: boolean, startedAt: number, rawBody: string, rawBodyBytes = -1) {
    this.id = requestIdFor(request.headers);
    this.request = request;
    this.surface = surface.name;
    this.dialect = surface.dialect;
    this.operation = surface.operation;
    this.watch = watchOf(request);
    this.startedAt = startedAt;
    this.receivedAt = Date.now();
    this.model = model;
    this.stream = stream;
    this.principal = null;
    this.targets = null;
    this.attempts = [];
    this.served = null;
    this.usage = null;
    this.status = 0;
    this.error = null;
    this.firstByteMs = -1;
    this.durationMs = -1;
    this.responseHeaders = null;
    this.response = new ResponseRecord();
    this.dropped = null;
    this.vars = {} as ContextVariables;
    this.plainLogRecord = null;
    this.rawBody = rawBody;
    this.rawBytes = rawBodyBytes;
    this.parsed = body;
    this.changed = false;
    this.neutral = null;
    this.inputEstimate = -1;
    this.info = surface;
  }

  /**
   * The parsed JSON body, in the client's dialect; null for bodiless surfaces (`GET /v1/models`).
   * Frozen: change it with `setBody`.
   */
  /** Aborts when the client goes away (a real AbortSignal, made on first use on runtimes whose adapter passes a light one). */
  get signal(): AbortSignal {
    return realSignal(this.watch);
  }

  get body(): Readonly<RequestBody> | null {
    return this.parsed;
  }

  /** The size of `rawBody` in UTF-8 bytes. */
  get rawBodyBytes(): number {
    if (this.rawBytes < 0) this.rawBytes = utf8Length(this.rawBody);
    return this.rawBytes;
  }

  /** Whether a plugin replaced the body, so the upstream gets it re-serialised. */
  get bodyChanged(): boolean {
    return this.changed;
  }

  /**
   * Replace the body (`ctx.setBody({ ...ctx.body, temperature: 0 })`). It is the one way to change
   * what the upstream receives; the new body is frozen like the first, and estimates and the
   * neutral view follow it.
   */
  setBody(body: RequestBody): void {
    freezeJson(body);
    this.parsed = body;
    this.changed = true;
    this.neutral = null;
    this.inputEstimate = -1;
  }

  /** The request in dialect-neutral form (messages, tools, sampling …), built on first use. */
  canonical(): CanonicalRequest {
    if (this.neutral === null) {
      if (this.parsed === null) throw new TypeError(`the ${this.surface} surface has no request body`);
      this.neutral = this.dialect.parseRequest(this.parsed);
    }
    return this.neutral;
  }

  /** A rough count of the input tokens, before any upstream sees the request (for limits). */
  get estimatedInputTokens(): number {
    if (this.inputEstimate < 0) this.inputEstimate = this.parsed === null ? 0 : this.info.estimateInputTokens(this.parsed);
    return this.inputEstimate;
  }

  /** The most output tokens the request lets the model produce, or null when it sets no limit. */
  get maxOutputTokens(): number | null {
    return this.parsed === null ? null : this.info.maxOutputTokens(this.parsed);
  }

  /** Add a header to the client response, whatever path produces it. */
  setResponseHeader(name: string, value: string): void {
    (this.responseHeaders ??= {})[name] = value;
  }
}
