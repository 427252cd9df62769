import type { RequestContext } from "../../core/context.ts";
import { type LogBodyOptions, type LogRecord, logRecordOf } from "../../core/log-record.ts";
import { type ExposedApi, type LogApi, pluginApis } from "../../core/plugin-api.ts";
import { definePlugin, type Plugin, type RouteMethod, type SetupContext } from "../../core/plugin.ts";
import type { ServerControl } from "../../core/server-control.ts";
import { offerState, previousState } from "../handover.ts";
import { type DashboardAssets, dashboardAssets } from "./assets.ts";
import { jsonAnswer, problem, secured } from "./headers.ts";
import { historyRange, storedPoints } from "./history.ts";
import { LiveFeed } from "./live.ts";
import { RecentRequests, summarize } from "./recent.ts";
import type { LogQuery, LogReader } from "../../core/log-sink.ts";
import { Series } from "./series.ts";
import { SESSION_COOKIE, sameToken, type Session, Sessions } from "./session.ts";
import { TargetTallies } from "./targets.ts";

export interface DashboardOptions {
  /** Where the app is served. Default `/ui`. */
  path?: string;
  /** Requests kept for the Requests page, newest first (a ring: memory stays bounded). Default 1 000. */
  maxRequests?: number;
  /** How far back the Overview's charts go, in minutes. Default 60. */
  historyMinutes?: number;
  /** Seconds each point of the charts covers. Default 5. */
  slotSeconds?: number;
  /** How long a login lasts, in minutes. Default 480 (8 hours). */
  sessionMinutes?: number;
  /** Most sessions held at once; the oldest is logged out past it. Default 64. */
  maxSessions?: number;
  /** Most dashboards watching live at once. Default 16. */
  maxWatchers?: number;
  /** Keep each request's redacted, truncated bodies for the detail view. Off by default. */
  bodies?: boolean | LogBodyOptions;
  /**
   * Mark the session cookie `Secure`. Default: when the login request came over HTTPS (directly,
   * or as `x-forwarded-proto: https` from a proxy).
   */
  secureCookie?: boolean;
}

export interface DashboardPlugin extends Plugin {
  /** Dashboards connected to the live feed now. */
  readonly watching: number;
}

/** What a reload hands to the new gateway's dashboard. */
interface DashboardState {
  recent: RecentRequests;
  series: Series;
  tallies: TargetTallies;
  sessions: Sessions;
  totals: { requests: number; errors: number };
}

const STATE = "dashboard-state";
const METHODS: readonly RouteMethod[] = ["GET", "POST", "PUT", "PATCH", "DELETE"];
const MUTATING = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const TICK_MS = 1_000;
const MAX_TARGETS = 512;
const MAX_LOGIN_BYTES = 4_096;
const LIST_LIMIT = 500;
const DEFAULT_LIST = 50;

function positiveInteger(value: number | undefined, fallback: number, name: string): number {
  const chosen = value ?? fallback;
  if (!Number.isInteger(chosen) || chosen < 1) throw new TypeError(`dashboard: ${name} must be a positive integer`);
  return chosen;
}

/** Whether a changing call plainly comes from the dashboard's own page (no other site's). */
function sameOrigin(request: Request): boolean {
  const site = request.headers.get("sec-fetch-site");
  if (site !== null && site !== "same-origin" && site !== "none") return false;
  const origin = request.headers.get("origin");
  if (origin === null) return true;
  try {
    return new URL(origin).host === (request.headers.get("host") ?? new URL(request.url).host);
  } catch {
    return false;
  }
}

/** How many rows a list call asked for (`limit`), within bounds. */
function listLimit(params: URLSearchParams): number {
  const asked = Number(params.get("limit") ?? DEFAULT_LIST);
  return Number.isInteger(asked) && asked > 0 ? Math.min(asked, LIST_LIMIT) : DEFAULT_LIST;
}

function filterOf(params: URLSearchParams): LogQuery {
  const filter: LogQuery = {};
  for (const name of ["id", "key", "team", "model", "provider", "status", "fault"] as const) {
    const value = params.get(name);
    if (value !== null && value !== "") filter[name] = value.slice(0, 256);
  }
  for (const name of ["since", "until"] as const) {
    const value = params.get(name);
    if (value !== null && value !== "") {
      const time = Date.parse(value);
      if (Number.isFinite(time)) filter[name] = time;
    }
  }
  return filter;
}

/**
 * A web console served by the gateway itself at `/ui`: live traffic, latency, errors and spend
 * (Overview), the recent request log with each request's attempts (Requests), keys and teams
 * (through the admin API), and targets with their circuits and routes (Providers). Admins log in
 * with their admin key; a virtual key cannot. Needs the `admin` plugin, whose keys it checks.
 *
 * Nothing runs per request but one `onComplete` that files the request's log record in a ring
 * and adds it to fixed counters; aggregates are computed only while a dashboard is connected.
 */
export function dashboard(options: DashboardOptions = {}): DashboardPlugin {
  const base = (options.path ?? "/ui").replace(/\/+$/, "");
  if (!/^\/[A-Za-z0-9/_-]+$/.test(base)) throw new TypeError(`dashboard: path "${base}" must be a plain path such as /ui`);
  const maxRequests = positiveInteger(options.maxRequests, 1_000, "maxRequests");
  const historyMinutes = positiveInteger(options.historyMinutes, 60, "historyMinutes");
  const slotSeconds = positiveInteger(options.slotSeconds, 5, "slotSeconds");
  const sessionMinutes = positiveInteger(options.sessionMinutes, 480, "sessionMinutes");
  const maxSessions = positiveInteger(options.maxSessions, 64, "maxSessions");
  const maxWatchers = positiveInteger(options.maxWatchers, 16, "maxWatchers");
  const logOptions = { bodies: options.bodies ?? false };

  // Replaced in setup by the predecessor's on a reload, so logins, counts and history carry on.
  let recent = new RecentRequests(maxRequests);
  let series = new Series(Math.max(1, Math.ceil((historyMinutes * 60) / slotSeconds)), slotSeconds * 1000);
  let tallies = new TargetTallies(MAX_TARGETS);
  let sessions = new Sessions(sessionMinutes * 60_000, maxSessions);
  let totals = { requests: 0, errors: 0 };
  const state = (): DashboardState => ({ recent, series, tallies, sessions, totals });

  let assets: DashboardAssets | undefined;
  let page = "";
  let app: SetupContext | undefined;
  let server: ServerControl | undefined;
  let admin: ExposedApi<"admin"> | undefined;
  let logs: ExposedApi<"log">[] = [];
  let circuits: ExposedApi<"circuitBreaker">[] = [];
  let routers: ExposedApi<"route">[] = [];
  let rateLimits: ExposedApi<"rateLimit">[] = [];
  let budgets: ExposedApi<"budget">[] = [];

  function read<T>(plugin: string, call: () => T, fallback: T): T {
    try {
      return call();
    } catch (error) {
      app?.report(error, `dashboard: reading plugin "${plugin}"`);
      return fallback;
    }
  }

  /** The figures every live tick carries. */
  function frame(): Record<string, unknown> {
    const now = Date.now();
    let queued = 0;
    let capacity = 0;
    let dropped = 0;
    for (const { plugin, api } of logs) {
      const stats = read(plugin, () => api.stats(), null);
      if (stats === null) continue;
      queued += stats.queued;
      capacity += stats.capacity;
      dropped += stats.dropped;
    }
    let rateLimited = 0;
    for (const { plugin, api } of rateLimits) rateLimited += read(plugin, () => api.stats().rejected, 0);
    let overBudget = 0;
    for (const { plugin, api } of budgets) overBudget += read(plugin, () => api.stats().rejected, 0);
    return {
      now,
      slotSeconds,
      historyMinutes,
      totals: { ...totals },
      inFlight: app?.inFlight ?? 0,
      logQueue: logs.length === 0 ? null : { queued, capacity, dropped },
      rejections: { rateLimit: rateLimited, budget: overBudget },
      current: series.window(now, 60_000),
      points: series.points(now, 2),
    };
  }

  const live = new LiveFeed(frame, TICK_MS, maxWatchers, (error) => app?.report(error, "dashboard: live feed"));

  function record(ctx: RequestContext): void {
    if (ctx.surface === "models") return;
    recent.add(logRecordOf(ctx, logOptions));
    const usage = ctx.usage;
    const cost = ctx.vars.costUsd;
    const fault = ctx.error === null ? null : ctx.error.fault;
    totals.requests++;
    if (fault !== null) totals.errors++;
    series.record({
      at: Date.now(),
      fault,
      totalMs: ctx.durationMs,
      firstByteMs: ctx.firstByteMs,
      inputTokens: usage === null ? 0 : usage.inputTokens,
      outputTokens: usage === null ? 0 : usage.outputTokens,
      costUsd: typeof cost === "number" ? cost : 0,
    });
    for (let i = 0; i < ctx.attempts.length; i++) tallies.observe(ctx.attempts[i]);
  }

  function providers(): Record<string, unknown> {
    const loads = new Map<string, { inFlight: number; latencyMs: number | null }>();
    let tracksLoad = false;
    const routes: Record<string, unknown> = {};
    const strategies: Record<string, string> = {};
    for (const { plugin, api } of routers) {
      tracksLoad ||= api.tracksLoad;
      Object.assign(routes, read(plugin, () => api.routes(), {}));
      Object.assign(strategies, read(plugin, () => api.strategies(), {}));
      for (const t of read(plugin, () => api.targets(), [])) loads.set(`${t.provider}/${t.model}`, t);
    }
    const states = new Map<string, unknown>();
    for (const { plugin, api } of circuits) for (const c of read(plugin, () => api.snapshot(), [])) states.set(`${c.provider}/${c.model}`, c);
    const seen = new Set<string>();
    const targets = tallies.list().map((t) => {
      const key = `${t.provider}/${t.model}`;
      seen.add(key);
      return { ...t, inFlight: tracksLoad ? (loads.get(key)?.inFlight ?? 0) : null, circuit: states.get(key) ?? null };
    });
    // Targets configured but not tried yet, and circuits of targets this instance has not seen.
    for (const key of [...loads.keys(), ...states.keys()]) {
      if (seen.has(key)) continue;
      seen.add(key);
      const slash = key.indexOf("/");
      targets.push({ provider: key.slice(0, slash), model: key.slice(slash + 1), attempts: 0, errors: 0, skipped: 0, latencyMs: null, errorRate: 0, lastStatus: 0, inFlight: tracksLoad ? (loads.get(key)?.inFlight ?? 0) : null, circuit: states.get(key) ?? null });
    }
    return {
      object: "providers",
      providers: [...(app?.providers.keys() ?? [])],
      targets,
      circuitBreaker: circuits.length > 0,
      tracksLoad,
      routes,
      strategies,
      config: server?.status() ?? null,
      inFlight: app?.inFlight ?? 0,
    };
  }

  /** The log sink that can search what it stored (Postgres), when one is configured. */
  function storedLog(): NonNullable<LogApi["reader"]> | null {
    for (const { api } of logs) if (api.reader != null) return api.reader;
    return null;
  }

  /** The log reader that can add up stored history (Postgres), when one is configured. */
  function storedHistory(): { sink: string; history: NonNullable<LogReader["history"]> } | null {
    for (const { api } of logs) {
      const history = api.reader?.reader.history;
      if (typeof history === "function") return { sink: api.reader!.sink, history: history.bind(api.reader!.reader) };
    }
    return null;
  }

  /**
   * The Overview's charts over a range: from the log store when one can add it up, else what the
   * ring holds (its last `historyMinutes`), saying which. Runs only when a dashboard asks.
   */
  async function history(url: URL, signal: AbortSignal): Promise<Response> {
    const now = Date.now();
    const range = historyRange(url.searchParams, now);
    if (typeof range === "string") return problem(400, "invalid_range", range);
    const stored = storedHistory();
    const answer = { object: "history", range: range.name, from: new Date(range.from).toISOString(), to: new Date(range.to).toISOString(), store: stored?.sink ?? null };
    // The last hour is the ring's: finer, and live.
    if (stored === null || range.name === "1h") {
      const points = series.points(now).filter((p) => p.t * 1000 >= range.from && p.t * 1000 < range.to);
      const note = range.to - range.from > historyMinutes * 60_000 ? `Only the last ${historyMinutes} min, kept in memory: no log sink that keeps history is configured (add postgresSink to log()).` : undefined;
      return jsonAnswer(200, { ...answer, source: "memory", bucketSeconds: slotSeconds, note, points });
    }
    try {
      const buckets = await stored.history({ from: range.from, to: range.to, bucketMs: range.bucketMs }, signal);
      return jsonAnswer(200, { ...answer, source: "store", bucketSeconds: range.bucketMs / 1000, points: storedPoints(buckets, range) });
    } catch (error) {
      // A page that went away cancelled the query itself: nothing to report.
      if (!signal.aborted) app?.report(error, `dashboard: reading history from the log sink "${stored.sink}"`);
      return problem(503, "log_store_unavailable", `The log sink "${stored.sink}" cannot be read now; the last ${historyMinutes} min in memory still can (range=1h).`);
    }
  }

  /** A request older than the ring, from the log store; undefined when there is none or it cannot be read. */
  async function fromStore(id: string, signal: AbortSignal): Promise<LogRecord | undefined> {
    const stored = storedLog();
    if (stored === null) return undefined;
    try {
      return (await stored.reader.find({ id }, 1, signal))[0];
    } catch (error) {
      app?.report(error, `dashboard: reading the log sink "${stored.sink}"`);
      return undefined;
    }
  }

  async function login(request: Request): Promise<Response> {
    if (!(request.headers.get("content-type") ?? "").toLowerCase().startsWith("application/json")) {
      return problem(415, "unsupported_media_type", "Send the login as JSON with 'content-type: application/json'.");
    }
    const text = await request.text();
    let key: unknown;
    try {
      key = text.length <= MAX_LOGIN_BYTES ? (JSON.parse(text) as { key?: unknown })?.key : undefined;
    } catch {
      return problem(400, "invalid_json", "The body is not valid JSON.");
    }
    const who = typeof key === "string" && key.length > 0 ? admin!.api.authenticate(key) : undefined;
    if (who === undefined) return problem(401, "invalid_admin_key", "That is not an admin key. Virtual keys cannot log in to the dashboard.");
    const { token, session } = sessions.open(who);
    const secure = options.secureCookie ?? (new URL(request.url).protocol === "https:" || request.headers.get("x-forwarded-proto") === "https");
    const cookie = `${SESSION_COOKIE}=${token}; Path=${base}; HttpOnly; SameSite=Strict; Max-Age=${sessionMinutes * 60}${secure ? "; Secure" : ""}`;
    console.log(`switchyard: admin "${who}" logged in to the dashboard`);
    return jsonAnswer(200, { object: "session", admin: who, csrfToken: session.csrf, expiresAt: new Date(session.expiresAt).toISOString() }, { "set-cookie": cookie });
  }

  /** A call to the admin API on behalf of the session's admin. */
  function adminCall(request: Request, rest: string, search: string, session: Session): Promise<Response> {
    const target = new URL(`${admin!.api.path}/${rest}${search}`, request.url);
    const forwarded = new Request(target, {
      method: request.method,
      headers: request.headers.has("content-type") ? { "content-type": request.headers.get("content-type")! } : {},
      body: request.method === "GET" || request.method === "DELETE" ? null : request.body,
      signal: request.signal,
      // @ts-expect-error: `duplex` is needed by Node's fetch to send a streamed body, unknown to the DOM types.
      duplex: "half",
    });
    return admin!.api.handle(forwarded, session.admin).then((response) => {
      const headers: Record<string, string> = { "content-type": response.headers.get("content-type") ?? "application/json", "cache-control": "no-store" };
      const allow = response.headers.get("allow");
      if (allow !== null) headers.allow = allow;
      return secured(response.body, response.status, headers);
    });
  }

  async function api(request: Request, rest: string, url: URL): Promise<Response> {
    const method = request.method;
    if (MUTATING.has(method) && !sameOrigin(request)) return problem(403, "cross_origin_refused", "Dashboard changes must come from the dashboard's own page.");
    if (rest === "login") return method === "POST" ? login(request) : problem(405, "method_not_allowed", "Log in with POST.");
    const found = sessions.of(request);
    if (found === undefined) return problem(401, "session_required", "Log in to the dashboard with an admin key first.");
    const { token, session } = found;
    if (MUTATING.has(method) && !sameToken(request.headers.get("x-csrf-token"), session.csrf)) {
      return problem(403, "csrf_token_invalid", "Send the session's CSRF token in the 'x-csrf-token' header.");
    }
    if (rest.startsWith("admin/")) return adminCall(request, rest.slice("admin/".length), url.search, session);
    if (method !== "GET" && rest !== "logout") return problem(405, "method_not_allowed", `${method} is not allowed on '${url.pathname}'.`);
    switch (rest) {
      case "logout":
        if (method !== "POST") return problem(405, "method_not_allowed", "Log out with POST.");
        sessions.close(token);
        return jsonAnswer(200, { object: "session", loggedOut: true }, { "set-cookie": `${SESSION_COOKIE}=; Path=${base}; HttpOnly; SameSite=Strict; Max-Age=0` });
      case "session":
        return jsonAnswer(200, { object: "session", admin: session.admin, csrfToken: session.csrf, expiresAt: new Date(session.expiresAt).toISOString() });
      case "overview":
        return jsonAnswer(200, { object: "overview", ...frame(), points: series.points(Date.now()), historyStore: storedHistory()?.sink ?? null });
      case "history":
        return history(url, request.signal);
      case "live": {
        const stream = live.connect(request.signal);
        if (stream === null) return problem(503, "too_many_watchers", `At most ${maxWatchers} dashboards may watch live at once.`);
        return secured(stream, 200, { "content-type": "text/event-stream", "cache-control": "no-store", "x-accel-buffering": "no" });
      }
      case "requests": {
        const stored = storedLog();
        const source = url.searchParams.get("source") ?? "memory";
        const filter = filterOf(url.searchParams);
        const limit = listLimit(url.searchParams);
        let records;
        if (source === "store" && stored !== null) {
          try {
            records = await stored.reader.find(filter, limit, request.signal);
          } catch (error) {
            app?.report(error, `dashboard: reading the log sink "${stored.sink}"`);
            return problem(503, "log_store_unavailable", `The log sink "${stored.sink}" cannot be read now; the recent requests in memory still can.`);
          }
        } else records = recent.find(filter, limit);
        return jsonAnswer(200, { object: "list", source: source === "store" && stored !== null ? "store" : "memory", capacity: maxRequests, store: stored?.sink ?? null, data: records.map(summarize) });
      }
      case "providers":
        return jsonAnswer(200, providers());
    }
    if (rest.startsWith("requests/")) {
      let id: string;
      try {
        id = decodeURIComponent(rest.slice("requests/".length));
      } catch {
        return problem(400, "invalid_path", "The path holds a malformed escape.");
      }
      const found = recent.get(id) ?? (await fromStore(id, request.signal));
      if (found === undefined) return problem(404, "not_found", `No request with id '${id}' among the last ${maxRequests}${storedLog() === null ? "" : " nor in the log store"}.`);
      return jsonAnswer(200, found);
    }
    return problem(404, "not_found", `Unknown dashboard path '${url.pathname}'.`);
  }

  async function serve(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const rest = url.pathname.slice(base.length);
    if (rest.startsWith("/api/")) return api(request, rest.slice("/api/".length), url);
    if (request.method !== "GET") return problem(405, "method_not_allowed", `${request.method} is not allowed on '${url.pathname}'.`);
    if (rest === "" || rest === "/") return secured(page, 200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-cache" });
    if (rest.startsWith("/assets/")) {
      const file = assets!.files[rest.slice("/assets/".length)];
      // Names carry their content's hash: a name never changes meaning, so caches may keep it.
      if (file !== undefined) return secured(file.body, 200, { "content-type": file.type, "cache-control": "public, max-age=31536000, immutable" });
    }
    return problem(404, "not_found", `Unknown dashboard path '${url.pathname}'.`);
  }

  const plugin = definePlugin<DashboardPlugin>({
    name: "dashboard",
    async setup(context) {
      app = context;
      const previous = previousState<() => DashboardState>(context, STATE)?.();
      if (previous !== undefined) {
        ({ sessions, totals, tallies } = previous);
        // Rings of another size start afresh rather than be resized.
        if (previous.recent.capacity === recent.capacity) recent = previous.recent;
        if (previous.series.slots === series.slots && previous.series.slotMs === series.slotMs) series = previous.series;
      }
      server = context.server;
      admin = pluginApis(context.plugins, "admin")[0];
      if (admin === undefined) {
        throw new Error("dashboard: no admin key is configured. The dashboard logs admins in with the admin plugin's keys: add admin({ keys: [...], store }) to the plugins.");
      }
      logs = pluginApis(context.plugins, "log");
      circuits = pluginApis(context.plugins, "circuitBreaker");
      routers = pluginApis(context.plugins, "route");
      rateLimits = pluginApis(context.plugins, "rateLimit");
      budgets = pluginApis(context.plugins, "budget");
      assets = await dashboardAssets();
      page = assets.page.replaceAll("{{base}}", base);
      context.addRoute("GET", base, serve);
      for (const method of METHODS) context.addRoute(method, `${base}/*`, serve);
    },
    describe: () => ({ path: base, maxRequests, historyMinutes, slotSeconds, bodies: logOptions.bodies !== false }),
    // After the other onComplete hooks, so the cost plugin's `costUsd` is there to read.
    onComplete: { order: "post", handler: record },
    get watching() {
      return live.watching;
    },
    close() {
      live.close();
    },
  });
  offerState(plugin, STATE, state);
  return plugin;
}
