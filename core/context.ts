import type { GatewayError } from "./errors.ts";
import type { Attempt, Principal, Surface, Target, Usage } from "./types.ts";

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

/** A parsed request body: the client's JSON object, mutated only through the context. */
export type RequestBody = Record<string, unknown>;

let sequence = 0;
const ID_PREFIX = /* @__PURE__ */ crypto.randomUUID().slice(0, 8);

function nextRequestId(): string {
  sequence = (sequence + 1) % Number.MAX_SAFE_INTEGER;
  return `req_${ID_PREFIX}${sequence.toString(36)}`;
}

const MAX_INCOMING_ID = 128;

/**
 * Everything about one request. The shape is fixed at construction (every field initialised in
 * the constructor, in one order) so the engine keeps a single hidden class on the hot path.
 */
export class RequestContext {
  readonly id: string;
  readonly request: Request;
  readonly surface: Surface;
  /** Aborts when the client goes away. */
  readonly signal: AbortSignal;
  /** `performance.now()` at arrival; timings on the context are relative to it. */
  readonly startedAt: number;
  /** Wall-clock arrival time (ms since epoch), for logs. */
  readonly receivedAt: number;

  /** The parsed JSON body; null for bodiless surfaces such as `GET /v1/models`. */
  body: RequestBody | null;
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
  /** A JSON answer's body as it left (null for streams and early answers), for byte counts and logs. */
  responseText: string | null;
  /** Bytes of a streamed answer sent to the client; -1 when not counted (JSON answers use `responseText`). */
  bytesOut: number;
  readonly vars: ContextVariables;

  /** Set when a plugin changed `body`, so the gateway re-serialises it for the upstream. */
  bodyChanged: boolean;
  /** The body exactly as the client sent it; forwarded as-is when nothing changes it. */
  readonly rawBody: string;

  constructor(
    request: Request,
    surface: Surface,
    body: RequestBody | null,
    model: string,
    stream: boolean,
    startedAt: number,
    rawBody: string,
  ) {
    const incoming = request.headers.get("x-request-id");
    this.id = incoming !== null && incoming.length > 0 && incoming.length <= MAX_INCOMING_ID ? incoming : nextRequestId();
    this.request = request;
    this.surface = surface;
    this.signal = request.signal;
    this.startedAt = startedAt;
    this.receivedAt = Date.now();
    this.body = body;
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
    this.responseText = null;
    this.bytesOut = -1;
    this.vars = {} as ContextVariables;
    this.bodyChanged = false;
    this.rawBody = rawBody;
  }

  /** Add a header to the client response, whatever path produces it. */
  setResponseHeader(name: string, value: string): void {
    (this.responseHeaders ??= {})[name] = value;
  }

  /** Replace or edit the body; the gateway will serialise the new one for the upstream. */
  setBody(body: RequestBody): void {
    this.body = body;
    this.bodyChanged = true;
  }
}
