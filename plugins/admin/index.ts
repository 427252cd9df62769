import * as v from "valibot";
import { StoreUnavailableError } from "../../core/counter-store.ts";
import { GatewayError } from "../../core/errors.ts";
import { KeyConflictError, type KeyRecord, type KeyStore, publicKeyRecord, type TeamRecord } from "../../core/key-store.ts";
import { definePlugin, type Plugin, type RouteMethod, type SetupContext } from "../../core/plugin.ts";
import type { ServerControl } from "../../core/server-control.ts";
import { VERSION } from "../../core/version.ts";
import { carriedKeyStore } from "../auth/index.ts";
import { HEX_HASH, newSecret, presentedKey, sha256Hex } from "../auth/secret.ts";
import { offerState, storeHold } from "../handover.ts";
import { firstIssue } from "../limits.ts";
import { AuditQuery, CreateKey, CreateTeam, ListKeysQuery, SpendQuery, UpdateKey, UpdateTeam } from "./schemas.ts";
import { SpendRecorder } from "./spend.ts";

export interface AdminKey {
  /** Names the admin in the audit trail and the log. */
  id: string;
  /** The secret; or give `hash` (its SHA-256, from `hashKey`) to keep it out of config. */
  key?: string;
  hash?: string;
}

export interface AdminOptions {
  /** Who may use the admin API. These keys are not virtual keys: they never reach `/v1`. */
  keys: AdminKey[];
  /** Where keys, teams, the audit trail and spend live (`postgresKeyStore`, `memoryKeyStore`). Pass the same store to `auth`. */
  store: KeyStore;
  /** Where the API is served. Default `/admin/v1`. */
  path?: string;
  /** How often spend added up in memory is written to the store. Default 5 000 ms. */
  spendFlushMs?: number;
  /** Most hour × key × team × model rows held while the store cannot take them. Default 10 000. */
  maxSpendRows?: number;
}

export interface AdminPlugin extends Plugin {
  /** Write the spend added up so far to the store now. */
  flushSpend(): Promise<void>;
}

const JSON_HEADERS = { "content-type": "application/json" };
const METHODS: readonly RouteMethod[] = ["GET", "POST", "PUT", "PATCH", "DELETE"];
const MAX_BODY_BYTES = 64 * 1024;
const STORE_STATE = "admin-key-store";

type Handler = (call: Call) => Promise<Response>;

interface Call {
  readonly request: Request;
  readonly actor: string;
  /** Path segments after the API's prefix: `["keys", "app-1"]`. */
  readonly segments: readonly string[];
  readonly query: Record<string, string>;
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: JSON_HEADERS });
}

function problem(status: number, code: string, message: string, param: string | null = null): GatewayError {
  return new GatewayError({ status, code, message, param, fault: status >= 500 ? "gateway" : "client" });
}

function invalid(issues: readonly v.BaseIssue<unknown>[], where: string): GatewayError {
  const { path, message } = firstIssue(issues);
  return problem(400, "invalid_value", path.length > 0 ? `${where} field '${path}' ${message}.` : `${where} ${message}.`, path.length > 0 ? path : null);
}

async function body<S extends v.GenericSchema>(request: Request, schema: S): Promise<v.InferOutput<S>> {
  const type = request.headers.get("content-type") ?? "";
  if (!type.toLowerCase().startsWith("application/json")) throw problem(415, "unsupported_media_type", "Send the body as JSON with 'content-type: application/json'.");
  const text = await request.text();
  if (text.length > MAX_BODY_BYTES) throw problem(413, "body_too_large", `The body is larger than ${MAX_BODY_BYTES} bytes.`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw problem(400, "invalid_json", "The body is not valid JSON.");
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw problem(400, "invalid_value", "The body must be a JSON object.");
  const result = v.safeParse(schema, parsed);
  if (!result.success) throw invalid(result.issues, "The body's");
  return result.output;
}

function query<S extends v.GenericSchema>(call: Call, schema: S): v.InferOutput<S> {
  const result = v.safeParse(schema, call.query);
  if (!result.success) throw invalid(result.issues, "The query's");
  return result.output;
}

/** A PATCH body applied: given fields replace, `null` removes, absent ones stay. */
function patched<R extends object>(record: R, patch: Record<string, unknown>): R {
  const next = { ...record } as Record<string, unknown>;
  for (const [name, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (value === null) delete next[name];
    else next[name] = value;
  }
  return next as R;
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function storeProblem(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  if (error instanceof KeyConflictError) return problem(409, "conflict", `${error.message}.`);
  if (error instanceof StoreUnavailableError) {
    return new GatewayError({ status: 503, code: "store_unavailable", message: "The key store cannot be reached; nothing was changed. Keys already known keep working. Try again shortly.", fault: "gateway", headers: { "retry-after": "1" } });
  }
  return problem(500, "internal_error", "The admin API failed; nothing may have been changed.");
}

/**
 * The admin API: keys and teams with their limits and budgets, spend, the audit trail, status and
 * reloads, under `/admin/v1`. Every call needs one of the admin keys (`Authorization: Bearer`),
 * every body is validated and refused with a 4xx that names the field, and every change is
 * written to the store's audit table and printed as one log line. A new key's secret is returned
 * once, in the answer to its creation (or rotation); only its SHA-256 is stored.
 */
export function admin(options: AdminOptions): AdminPlugin {
  if (!options || !Array.isArray(options.keys) || options.keys.length === 0) throw new TypeError("admin: options.keys must list at least one admin key");
  if (!options.store || typeof options.store.current !== "function") throw new TypeError("admin: options.store must be a key store (postgresKeyStore or memoryKeyStore)");
  const prefix = (options.path ?? "/admin/v1").replace(/\/+$/, "");
  if (!/^\/[A-Za-z0-9/_-]+$/.test(prefix)) throw new TypeError(`admin: path "${prefix}" must be a plain path such as /admin/v1`);
  const admins = new Map<string, string>();
  options.keys.forEach((entry, index) => {
    const where = `admin: keys[${index}]`;
    if (!entry || typeof entry.id !== "string" || entry.id.length === 0) throw new TypeError(`${where}.id must be a non-empty string`);
    let hash: string;
    if (entry.hash !== undefined) {
      const match = typeof entry.hash === "string" ? HEX_HASH.exec(entry.hash) : null;
      if (match === null) throw new TypeError(`${where}.hash must be a SHA-256 as 64 hex digits`);
      hash = match[1].toLowerCase();
    } else {
      if (typeof entry.key !== "string" || entry.key.length < 16) throw new TypeError(`${where}.key (id "${entry.id}") must be a string of at least 16 characters`);
      hash = sha256Hex(entry.key);
    }
    admins.set(hash, entry.id);
  });

  let store = options.store;
  const storeHeld = storeHold<KeyStore>();
  const spend = new SpendRecorder(store, options.spendFlushMs ?? 5_000, options.maxSpendRows ?? 10_000);
  let server: ServerControl | undefined;
  let inFlight = (): number => 0;

  function logAction(actor: string, action: string, target: string): void {
    console.log(`switchyard: admin "${actor}" ${action} ${target}`);
  }

  /** The record, or a 404 naming what is missing. */
  function existing<R>(kind: "key" | "team", id: string, record: R | null | undefined): R {
    if (record === null || record === undefined) throw problem(404, kind === "key" ? "key_not_found" : "team_not_found", `No ${kind} with id '${id}'.`, "id");
    return record;
  }

  const findKey = (id: string): KeyRecord => existing("key", id, store.current().keys.find((k) => k.id === id));
  const findTeam = (id: string): TeamRecord => existing("team", id, store.current().teams.find((t) => t.id === id));

  const keyAnswer = (record: KeyRecord) => ({ object: "key", ...publicKeyRecord(record) });
  const teamAnswer = (record: TeamRecord) => ({ object: "team", ...record });
  const hintOf = (secret: string): string => secret.slice(-4);

  const handlers: Record<string, Handler> = {
    "GET status": async () => {
      const set = store.current();
      return json(200, {
        object: "status",
        version: VERSION,
        config: server?.status() ?? null,
        store: { kind: store.kind, ...store.health(), keys: set.keys.length, teams: set.teams.length },
        inFlight: inFlight(),
        spend: { pendingRows: spend.pendingRows, dropped: spend.dropped, failedWrites: spend.failedWrites },
      });
    },
    "POST reload": async () => {
      if (server === undefined) throw problem(501, "reload_unavailable", "This gateway does not run in a server that can reload it.");
      const result = await server.reload();
      return json(result.ok ? 200 : 422, { object: "reload", ...result, ...(result.ok ? {} : { code: "reload_failed" }) });
    },

    "GET keys": async (call) => {
      const { team } = query(call, ListKeysQuery);
      const keys = store.current().keys.filter((k) => team === undefined || k.team === team);
      return json(200, { object: "list", data: keys.map(keyAnswer) });
    },
    "POST keys": async (call) => {
      const input = await body(call.request, CreateKey);
      const secret = newSecret();
      const now = new Date().toISOString();
      const id = input.id ?? `key_${crypto.randomUUID().replace(/-/g, "").slice(0, 16)}`;
      const record: KeyRecord = withoutUndefined({ ...input, id, hash: sha256Hex(secret), hint: hintOf(secret), createdAt: now, updatedAt: now });
      await store.createKey(record, call.actor);
      logAction(call.actor, "created key", id);
      return json(201, { ...keyAnswer(record), secret });
    },
    "GET keys/:id": async (call) => json(200, keyAnswer(findKey(call.segments[1]))),
    "PATCH keys/:id": async (call) => {
      const id = call.segments[1];
      findKey(id);
      const patch = await body(call.request, UpdateKey);
      const updated = existing("key", id, await store.updateKey(id, (record) => ({ ...patched(record, patch), updatedAt: new Date().toISOString() }), call.actor));
      logAction(call.actor, "updated key", id);
      return json(200, keyAnswer(updated));
    },
    "DELETE keys/:id": async (call) => {
      const id = call.segments[1];
      existing("key", id, await store.deleteKey(id, call.actor));
      logAction(call.actor, "deleted key", id);
      return json(200, { object: "key", id, deleted: true });
    },
    "POST keys/:id/rotate": async (call) => {
      const id = call.segments[1];
      findKey(id);
      const secret = newSecret();
      const updated = existing("key", id, await store.updateKey(id, (record) => ({ ...record, hash: sha256Hex(secret), hint: hintOf(secret), updatedAt: new Date().toISOString() }), call.actor, "key.rotate"));
      logAction(call.actor, "rotated key", id);
      return json(200, { ...keyAnswer(updated), secret });
    },

    "GET teams": async () => json(200, { object: "list", data: store.current().teams.map(teamAnswer) }),
    "POST teams": async (call) => {
      const input = await body(call.request, CreateTeam);
      const now = new Date().toISOString();
      const record: TeamRecord = withoutUndefined({ ...input, createdAt: now, updatedAt: now });
      await store.createTeam(record, call.actor);
      logAction(call.actor, "created team", record.id);
      return json(201, teamAnswer(record));
    },
    "GET teams/:id": async (call) => json(200, teamAnswer(findTeam(call.segments[1]))),
    "PATCH teams/:id": async (call) => {
      const id = call.segments[1];
      findTeam(id);
      const patch = await body(call.request, UpdateTeam);
      const updated = existing("team", id, await store.updateTeam(id, (record) => ({ ...patched(record, patch), updatedAt: new Date().toISOString() }), call.actor));
      logAction(call.actor, "updated team", id);
      return json(200, teamAnswer(updated));
    },
    "DELETE teams/:id": async (call) => {
      const id = call.segments[1];
      existing("team", id, await store.deleteTeam(id, call.actor));
      logAction(call.actor, "deleted team", id);
      return json(200, { object: "team", id, deleted: true });
    },

    "GET spend": async (call) => {
      const { by, from, to } = query(call, SpendQuery);
      // What this instance added up and has not written yet counts too.
      await spend.flush().catch(() => {});
      const data = await store.spend({ by, from: from === undefined ? undefined : new Date(from), to: to === undefined ? undefined : new Date(to) });
      return json(200, { object: "spend", by, from: from ?? null, to: to ?? null, data: data.map((t) => ({ [by]: t.id === "" ? null : t.id, requests: t.requests, inputTokens: t.inputTokens, outputTokens: t.outputTokens, costUsd: t.costUsd })) });
    },
    "GET audit": async (call) => {
      const { limit, target } = query(call, AuditQuery);
      return json(200, { object: "list", data: await store.audit({ limit, target }) });
    },
  };

  /** `METHOD pattern` of a path: ids become `:id`. */
  function route(method: string, segments: readonly string[]): string {
    if (segments.length >= 2 && (segments[0] === "keys" || segments[0] === "teams")) return `${method} ${[segments[0], ":id", ...segments.slice(2)].join("/")}`;
    return `${method} ${segments.join("/")}`;
  }

  const authenticate = (secret: string): string | undefined => admins.get(sha256Hex(secret));

  function serve(request: Request): Promise<Response> {
    const presented = presentedKey(request);
    return answer(request, presented === null ? undefined : authenticate(presented), presented === null);
  }

  async function answer(request: Request, actor: string | undefined, missing: boolean): Promise<Response> {
    try {
      if (actor === undefined) {
        throw new GatewayError({
          status: 401,
          code: "invalid_admin_key",
          message: missing ? "Missing admin key. Send it as 'Authorization: Bearer <admin key>'." : "Incorrect admin key. Virtual keys cannot use the admin API.",
          fault: "policy",
          headers: { "www-authenticate": 'Bearer realm="switchyard-admin"' },
        });
      }
      const url = new URL(request.url);
      let segments: string[];
      try {
        segments = url.pathname.slice(prefix.length).split("/").filter((s) => s.length > 0).map(decodeURIComponent);
      } catch {
        throw problem(400, "invalid_path", "The path holds a malformed escape.");
      }
      const wanted = route(request.method, segments);
      const handler = handlers[wanted];
      if (handler === undefined) {
        const allowed = METHODS.filter((m) => handlers[route(m, segments)] !== undefined);
        if (allowed.length === 0) throw problem(404, "not_found", `Unknown admin path '${url.pathname}'.`);
        throw new GatewayError({ status: 405, code: "method_not_allowed", message: `${request.method} is not allowed on '${url.pathname}'.`, headers: { allow: allowed.join(", ") } });
      }
      return await handler({ request, actor, segments, query: Object.fromEntries(url.searchParams) });
    } catch (error) {
      return storeProblem(error).toResponse();
    }
  }

  const plugin = definePlugin<AdminPlugin>({
    name: "admin",
    async setup(app: SetupContext) {
      store = carriedKeyStore(app, STORE_STATE, store);
      storeHeld.take(store);
      spend.use(store);
      server = app.server;
      inFlight = () => app.inFlight;
      await store.start();
      spend.start();
      for (const method of METHODS) app.addRoute(method, `${prefix}/*`, serve);
    },
    describe: () => ({ path: prefix, admins: admins.size, store: store.kind }),
    api: { admin: { path: prefix, authenticate, handle: (request, actor) => answer(request, actor, false) } },
    onComplete: { order: "post", handler: (ctx) => spend.record(ctx) },
    flushSpend: () => spend.flush(),
    async close(closing) {
      await spend.close(closing?.timeoutMs ?? 5_000);
      await storeHeld.close(store);
    },
  });
  offerState(plugin, STORE_STATE, () => store);
  return plugin;
}
