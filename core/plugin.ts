import type { StreamEvent } from "./canonical.ts";
import type { RequestContext } from "./context.ts";
import type { GatewayError } from "./errors.ts";
import type { PluginApi } from "./plugin-api.ts";
import type { ProviderAdapter } from "./provider.ts";
import type { ServerControl } from "./server-control.ts";
import type { Attempt, AttemptDecision, ModelEntry, Operation, Surface, Target } from "./types.ts";

type MaybePromise<T> = T | Promise<T>;

/** Compiled once at build time into a predicate; a hook whose filter fails is skipped. */
export interface HookFilter {
  /** Run only for these surfaces. */
  surfaces?: readonly Surface[];
  /**
   * Run only for requests asking a provider for one of these, on whatever surface and in whatever
   * dialect they came (`generate` covers chat completions and Anthropic messages alike).
   */
  operations?: readonly Operation[];
  /** Run only when the requested model matches one of these (exact string or RegExp). */
  models?: readonly (string | RegExp)[];
}

/** A hook is a function, or an object that also says where it sorts and when it runs. */
export type Hook<F> = F | { handler: F; order?: "pre" | "post"; filter?: HookFilter };

/** Sequential. Return a Response (or throw a GatewayError) to answer early and end the chain. */
export type OnRequestHook = (ctx: RequestContext) => MaybePromise<Response | void | undefined>;
/** First answer wins: return the ordered targets for this request, or nothing to pass. */
export type RouteHook = (ctx: RequestContext) => MaybePromise<readonly Target[] | null | void | undefined>;
/**
 * Sequential, before each upstream attempt. May edit `attempt.headers` or the context body.
 * Returning `"skip"` passes this target over without calling it (an open circuit, say): the
 * attempt is recorded as `skipped`, counts against no attempt limit, and the next target follows.
 */
export type OnAttemptHook = (ctx: RequestContext, attempt: Attempt) => MaybePromise<void | "skip">;
/** First decision wins. Runs only while nothing has reached the client. */
export type OnAttemptErrorHook = (
  ctx: RequestContext,
  attempt: Attempt,
  error: GatewayError,
) => MaybePromise<AttemptDecision | null | void | undefined>;
/** Reverse registration order. Return a new Response to replace the one going out. */
export type OnResponseHook = (ctx: RequestContext, response: Response) => MaybePromise<Response | void | undefined>;
/**
 * Each event of a streamed answer, in neutral form, on its way to the client (whatever dialects
 * the client and the provider speak; `ctx.dialect` is the client's). Synchronous, because it runs
 * per event. Return nothing to pass the event on, an event to replace it, or an array of events
 * to replace it with those (`[]` drops it). Throw a `GatewayError` to end the stream: the client
 * gets it as an error event in its own dialect and the upstream call is cancelled.
 * Registering one makes same-dialect streams decode and re-encode (see docs/plugins.md).
 */
export type OnChunkHook = (ctx: RequestContext, event: StreamEvent) => StreamEvent | readonly StreamEvent[] | null | void | undefined;
/** After the response is committed (stream ended). Errors are reported and never change the response. */
export type OnCompleteHook = (ctx: RequestContext) => MaybePromise<void>;
/** Sequential transform of the `GET /v1/models` list, for the caller in `ctx`. */
export type FilterModelsHook = (ctx: RequestContext, models: ModelEntry[]) => MaybePromise<ModelEntry[]>;

/**
 * How the gateway runs a hook across plugins (Rollup's hook kinds). Every kind calls hooks in
 * chain order and stays synchronous until a hook returns a promise.
 * - first:      until one returns an answer (not null/undefined, not an empty array); it wins.
 * - sequential: every hook, one after another, each awaited; a stop value (`"skip"`) ends the run.
 * - transform:  a value threaded through every hook; a hook returning something replaces it.
 * - parallel:   every hook is called (in order, so a synchronous hook's effects are visible to
 *               the next), their promises awaited together; a failure is reported and never
 *               stops the others or changes the response.
 */
export type HookKind = "first" | "sequential" | "transform" | "parallel";

declare const signature: unique symbol;
/** A hook kind at run time, carrying the hook's function type for the compiler (no runtime cost). */
export type HookSpec<K extends HookKind, F> = K & { readonly [signature]?: F };

/**
 * Every hook, once: its name, its kind and its signature, in request order. The `Plugin` fields,
 * `HookName`, `HookMap`, `HOOK_NAMES` and the chain's arrays are all generated from this map.
 */
export const HOOKS = {
  onRequest: "first" as HookSpec<"first", OnRequestHook>,
  route: "first" as HookSpec<"first", RouteHook>,
  onAttempt: "sequential" as HookSpec<"sequential", OnAttemptHook>,
  onAttemptError: "first" as HookSpec<"first", OnAttemptErrorHook>,
  onResponse: "transform" as HookSpec<"transform", OnResponseHook>,
  onChunk: "transform" as HookSpec<"transform", OnChunkHook>,
  onComplete: "parallel" as HookSpec<"parallel", OnCompleteHook>,
  filterModels: "transform" as HookSpec<"transform", FilterModelsHook>,
} as const;
Object.freeze(HOOKS);

export type HookName = keyof typeof HOOKS;
/** The function type of each hook. */
export type HookMap = { [K in HookName]: (typeof HOOKS)[K] extends HookSpec<HookKind, infer F> ? F : never };
/** The kind of each hook, as a type: `HookKindOf<"route">` is `"first"`. */
export type HookKindOf<K extends HookName> = (typeof HOOKS)[K] extends HookSpec<infer Kind, unknown> ? Kind : never;

export const HOOK_NAMES: readonly HookName[] = Object.freeze(Object.keys(HOOKS) as HookName[]);

/** The hook fields of a plugin: each optional, a function or `{ handler, order, filter }`. */
export type PluginHooks = { [K in HookName]?: Hook<HookMap[K]> };

/** Answers an extra HTTP route a plugin serves (`GET /metrics`, say). */
export type RouteHandler = (request: Request) => Response | Promise<Response>;

/** The methods an extra route may answer. */
export type RouteMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/**
 * Whether something the gateway depends on is usable (a required log sink, a counter store).
 * Should answer from state the plugin already keeps: `/ready` runs every check on each call.
 */
export type ReadyCheck = () => boolean | Promise<boolean>;

/** What a plugin's `setup` may see and do, once, when the gateway is built. */
export interface SetupContext {
  /** The core version, for plugins that adapt to it. */
  readonly version: string;
  readonly providers: ReadonlyMap<string, ProviderAdapter>;
  /** Every plugin of the gateway, in run order (for plugins that read others' state, such as metrics). */
  readonly plugins: readonly Plugin[];
  /** Register a model id the gateway serves (route aliases do this), listed by `GET /v1/models`. */
  addModel(id: string, ownedBy?: string): void;
  /** Every model id the gateway serves; complete once every plugin's setup has run, so read it per request. */
  models(): readonly ModelEntry[];
  /** Requests begun and not finished (streams count until they end), read at any time after setup. */
  readonly inFlight: number;
  /** Report a problem that must not fail a request (the gateway's error reporter). */
  report(error: unknown, where: string): void;
  /**
   * Serve an extra route. A path ending in `/*` serves everything under it (`/admin/v1/*`). The
   * gateway's own paths (`/v1/…`, `/health`, `/ready`) are reserved and a method and path may be
   * registered once; both are refused at build time.
   */
  addRoute(method: RouteMethod, path: string, handler: RouteHandler): void;
  /** `/ready` answers 503 while this check returns false, throws or takes over a second. */
  addReadyCheck(name: string, check: ReadyCheck): void;
  /**
   * On a reload: the plugin of the same name in the gateway this one replaces, which keeps
   * serving its requests in flight until they finish. A plugin may carry its state over (counters,
   * circuits, queues) during setup. Undefined on a first start.
   */
  readonly previous: Plugin | undefined;
  /** The server running this gateway (config version, reloads), when it runs in one. */
  readonly server: ServerControl | undefined;
}

export interface Plugin extends PluginHooks {
  /** Unique within a gateway; errors and logs name it. */
  readonly name: string;
  /** Sorts the whole plugin before (`pre`) or after (`post`) plugins without it. */
  readonly enforce?: "pre" | "post";
  readonly requires?: {
    /** A semver range the core version must satisfy, e.g. `^0.1.0`. */
    readonly core?: string;
    /** Names of plugins that must also be installed. */
    readonly plugins?: readonly string[];
  };
  setup?(app: SetupContext): MaybePromise<void>;
  /**
   * On shutdown (or when a reload retires this gateway), after in-flight requests finished;
   * `timeoutMs` is what is left of the gateway's deadline. Also called, without a prior setup of
   * every plugin, when building the gateway failed, so resources a plugin opened are let go.
   */
  close?(options?: { timeoutMs: number }): MaybePromise<void>;
  /**
   * State this plugin exposes to others (metrics, the CLI, other plugins), by facet: see
   * `PluginApi`. Readers find it with `pluginApis(plugins, facet)`; set it once, at creation.
   */
  readonly api?: PluginApi;
  /** A JSON-able summary for `switchyard check` (a route table, limits …). */
  describe?(): Record<string, unknown>;

}

/** Identity helper that gives a plugin object its types. */
export function definePlugin<P extends Plugin>(plugin: P): P {
  return plugin;
}
