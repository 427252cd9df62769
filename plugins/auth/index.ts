import type { RequestContext } from "../../core/context.ts";
import { GatewayError } from "../../core/errors.ts";
import type { KeyRecord, KeySet, KeyStore, Limits } from "../../core/key-store.ts";
import { definePlugin, type Plugin, type SetupContext } from "../../core/plugin.ts";
import type { Principal } from "../../core/types.ts";
import { offerState, previousState, storeHold } from "../handover.ts";
import { limitsOf } from "../limits.ts";
import { compileModelMatcher } from "../model-match.ts";
import { loadKeys } from "./key-sources.ts";
import { KeyHashMemo } from "./hash-memo.ts";
import { HEX_HASH, presentedKey, queryKey, sha256Hex } from "./secret.ts";

export interface AuthKey extends Limits {
  /** A stable id for logs and limits; never the secret. */
  id: string;
  /** The secret the caller presents. Hashed at setup and not kept in plain text. */
  key?: string;
  /** Instead of `key`: its SHA-256 as 64 hex digits (optionally `sha256:`-prefixed), so no secret sits in config. */
  hash?: string;
  /** Models this key may use: aliases, `provider/model` ids, or globs (`openai/*`). Default: all. */
  models?: string[];
  team?: string;
  tags?: string[];
  /** The key's home region: regional routing sends its requests there. */
  region?: string;
  /** Regions the caller may pick per request with the region header (default: only `region`). */
  regions?: string[];
  /** Free-form labels (owner, cost centre …), passed on in the principal. */
  metadata?: Record<string, string>;
  /** After this instant the key is refused: an ISO 8601 string, ms since the epoch, or a Date. */
  expiresAt?: string | number | Date;
  /** Refuse the key without removing it. */
  disabled?: boolean;
}

/** A team's limits and budget: keys with this `team` count against them (and a key store's team records win). */
export interface AuthTeam extends Limits {
  id: string;
}

export interface AuthOptions {
  /** Keys in the config itself. */
  keys?: AuthKey[];
  /** Teams with their own limits and budgets. */
  teams?: AuthTeam[];
  /**
   * Keys and teams created at runtime (the admin API), held in memory and followed as they
   * change: a key created, disabled or deleted on any instance takes effect here without a
   * restart. The request path never waits for the store's backend.
   */
  store?: KeyStore;
  /** An environment variable holding a JSON array of keys (same shape), read at startup. */
  env?: string;
  /** A JSON file holding an array of keys or `{ "keys": [...] }`, read at startup. */
  file?: string;
}

interface StoredKey {
  readonly principal: Principal;
  readonly allows: (model: string) => boolean;
  readonly expiresAt: number;
  readonly disabled: boolean;
}

/** The SHA-256 of a key as `auth` stores it: put it in `hash` to keep secrets out of config. */
export function hashKey(secret: string): Promise<string> {
  return Promise.resolve(`sha256:${sha256Hex(secret)}`);
}

function unauthorized(message: string): GatewayError {
  return new GatewayError({
    status: 401,
    message,
    code: "invalid_api_key",
    fault: "policy",
    headers: { "www-authenticate": 'Bearer realm="switchyard"' },
  });
}

function parseExpiry(value: AuthKey["expiresAt"], where: string): number {
  if (value === undefined) return Number.POSITIVE_INFINITY;
  const at = value instanceof Date ? value.getTime() : typeof value === "number" ? value : Date.parse(value);
  if (!Number.isFinite(at)) throw new Error(`${where}.expiresAt must be an ISO 8601 date, ms since the epoch, or a Date`);
  return at;
}

function optionalStrings(value: unknown, where: string): readonly string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((item) => typeof item !== "string")) throw new Error(`${where} must be an array of strings`);
  return Object.freeze([...value]);
}

function optionalMetadata(value: unknown, where: string): Readonly<Record<string, string>> | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value !== "object" || Array.isArray(value) || Object.values(value).some((v) => typeof v !== "string")) {
    throw new Error(`${where}.metadata must be an object of strings`);
  }
  return Object.freeze({ ...(value as Record<string, string>) });
}

/** A key from config, checked and hashed once at setup; its principal is built with the team limits of the moment. */
interface ConfigKey {
  readonly hash: string;
  readonly entry: AuthKey;
  readonly limits: Limits | undefined;
  readonly allows: (model: string) => boolean;
  readonly expiresAt: number;
}

function checkConfigKey(entry: AuthKey, where: string): { hash: string; limits: Limits | undefined; allows: (model: string) => boolean; expiresAt: number } {
  if (!entry || typeof entry.id !== "string" || entry.id.length === 0) throw new Error(`${where}.id must be a non-empty string`);
  let hash: string;
  if (entry.hash !== undefined) {
    const match = typeof entry.hash === "string" ? HEX_HASH.exec(entry.hash) : null;
    if (match === null) throw new Error(`${where}.hash (id "${entry.id}") must be a SHA-256 as 64 hex digits, optionally prefixed "sha256:"`);
    if (entry.key !== undefined) throw new Error(`${where} (id "${entry.id}") has both key and hash; give one`);
    hash = match[1].toLowerCase();
  } else {
    if (typeof entry.key !== "string" || entry.key.length < 8) throw new Error(`${where}.key (id "${entry.id}") must be a string of at least 8 characters`);
    hash = sha256Hex(entry.key);
  }
  if (entry.team !== undefined && typeof entry.team !== "string") throw new Error(`${where}.team must be a string`);
  if (entry.region !== undefined && typeof entry.region !== "string") throw new Error(`${where}.region must be a string`);
  optionalStrings(entry.tags, `${where}.tags`);
  optionalStrings(entry.regions, `${where}.regions`);
  optionalMetadata(entry.metadata, where);
  const models = optionalStrings(entry.models, `${where}.models`);
  return {
    hash,
    limits: limitsOf(entry as unknown as Record<string, unknown>, where),
    allows: models === undefined ? () => true : compileModelMatcher(models),
    expiresAt: parseExpiry(entry.expiresAt, where),
  };
}

function principalOf(entry: AuthKey | KeyRecord, limits: Limits | undefined, teamLimits: Limits | undefined): Principal {
  return Object.freeze({
    id: entry.id,
    team: entry.team,
    tags: entry.tags === undefined ? undefined : Object.freeze([...entry.tags]),
    metadata: entry.metadata === undefined ? undefined : Object.freeze({ ...entry.metadata }),
    region: "region" in entry ? entry.region : undefined,
    regions: "regions" in entry && entry.regions !== undefined ? Object.freeze([...entry.regions]) : undefined,
    limits,
    teamLimits,
  });
}

/** The limits a store record sets, or undefined. */
function recordLimits(record: Limits): Limits | undefined {
  const { rpm, tpm, concurrent, budgetUsd, budgetPeriod } = record;
  if (rpm === undefined && tpm === undefined && concurrent === undefined && budgetUsd === undefined && budgetPeriod === undefined) return undefined;
  return Object.freeze({ rpm, tpm, concurrent, budgetUsd, budgetPeriod });
}

const STORE_STATE = "auth-key-store";

/**
 * The key store a plugin of the new config uses: on a reload, the replaced plugin's when it points
 * at the same place (no reconnect, no reload of the key set), else its own.
 */
export function carriedKeyStore(app: SetupContext, kind: string, store: KeyStore): KeyStore {
  const previous = previousState<() => KeyStore | undefined>(app, kind)?.();
  return previous !== undefined && previous.identity === store.identity ? previous : store;
}

/**
 * Virtual keys from config, an environment variable, a file, and a key store. Keys are held as
 * SHA-256 hashes and looked up by the hash of what the caller presents, so no secret is kept in
 * plain text once the gateway has started and the comparison time does not depend on how much of
 * a secret matched. Each key has an id, optional team, tags and metadata, limits and a budget
 * (all on `ctx.principal` for later plugins and logs; the secret never is), the models it may
 * use, an expiry and a disabled flag. With a `store`, keys created, changed or deleted at runtime
 * replace the lookup table as they arrive; a request only ever reads the table in memory. The
 * caller's key never reaches an upstream: providers send their own credentials.
 */
export function auth(options: AuthOptions): Plugin {
  if (!options || (options.keys === undefined && options.env === undefined && options.file === undefined && options.store === undefined)) {
    throw new TypeError("auth: give keys, env (a variable holding JSON keys), file (a JSON key file) or store (a key store)");
  }
  if (options.keys !== undefined && !Array.isArray(options.keys)) throw new TypeError("auth: options.keys must be an array");
  if (options.teams !== undefined && !Array.isArray(options.teams)) throw new TypeError("auth: options.teams must be an array");
  let byHash = new Map<string, StoredKey>();
  const hashes = new KeyHashMemo();
  const inTable = (hash: string): boolean => byHash.has(hash);
  const allowsByPrincipal = new WeakMap<Principal, (model: string) => boolean>();
  // Dropped after setup, so this plugin holds no reference to a plain-text secret.
  let sources: AuthOptions | null = { keys: options.keys, env: options.env, file: options.file };
  let configKeys: ConfigKey[] = [];
  const configTeams = new Map<string, Limits | undefined>();
  let store = options.store;
  const storeHeld = storeHold<KeyStore>();
  let unsubscribe: (() => void) | null = null;
  const shadowed = new Set<string>();

  /** The lookup table from config keys and the store's key set, swapped in whole. */
  function rebuild(set: KeySet | null): void {
    const teams = new Map(configTeams);
    for (const team of set?.teams ?? []) teams.set(team.id, recordLimits(team));
    const table = new Map<string, StoredKey>();
    const ids = new Set<string>();
    for (const key of configKeys) {
      const principal = principalOf(key.entry, key.limits, key.entry.team === undefined ? undefined : teams.get(key.entry.team));
      table.set(key.hash, { principal, allows: key.allows, expiresAt: key.expiresAt, disabled: key.entry.disabled === true });
      allowsByPrincipal.set(principal, key.allows);
      ids.add(key.entry.id);
    }
    for (const record of set?.keys ?? []) {
      // A config key wins over a store key with its id or secret: config is what the operator wrote down.
      if (ids.has(record.id) || table.has(record.hash)) {
        if (!shadowed.has(record.id)) console.warn(`switchyard: auth: the key store's key "${record.id}" has the id or secret of a config key; the config key wins`);
        shadowed.add(record.id);
        continue;
      }
      const allows = record.models === undefined ? () => true : compileModelMatcher(record.models);
      const principal = principalOf(record, recordLimits(record), record.team === undefined ? undefined : teams.get(record.team));
      const expiresAt = record.expiresAt === undefined ? Number.POSITIVE_INFINITY : Date.parse(record.expiresAt);
      table.set(record.hash, { principal, allows, expiresAt: Number.isFinite(expiresAt) ? expiresAt : Number.POSITIVE_INFINITY, disabled: record.disabled === true });
      allowsByPrincipal.set(principal, allows);
    }
    byHash = table;
  }

  const plugin = definePlugin({
    name: "auth",
    enforce: "pre",
    async setup(app) {
      // Secrets are dropped once hashed, so one auth() instance serves one gateway.
      if (sources === null) throw new Error("this auth() instance already serves a gateway; call auth() once per gateway");
      const loaded = await loadKeys(sources);
      sources = null;
      const ids = new Set<string>();
      const hashes = new Set<string>();
      const keys: ConfigKey[] = [];
      for (const { entry, where } of loaded) {
        const checked = checkConfigKey(entry, where);
        if (ids.has(entry.id)) throw new Error(`${where}.id "${entry.id}" is used twice`);
        if (hashes.has(checked.hash)) throw new Error(`${where} (id "${entry.id}") repeats the secret of another key`);
        ids.add(entry.id);
        hashes.add(checked.hash);
        keys.push({ entry, ...checked });
      }
      configKeys = keys;
      (options.teams ?? []).forEach((team, index) => {
        if (!team || typeof team.id !== "string" || team.id.length === 0) throw new Error(`teams[${index}].id must be a non-empty string`);
        configTeams.set(team.id, limitsOf(team as unknown as Record<string, unknown>, `teams[${index}]`));
      });
      if (store !== undefined) {
        store = carriedKeyStore(app, STORE_STATE, store);
        storeHeld.take(store);
        await store.start();
        unsubscribe = store.subscribe((set) => rebuild(set));
      }
      rebuild(store?.current() ?? null);
    },

    describe: () => ({ keys: configKeys.length, teams: configTeams.size, ...(store === undefined ? {} : { store: store.kind, storeKeys: store.current().keys.length }) }),

    onRequest(ctx: RequestContext) {
      const key = presentedKey(ctx.request) ?? (ctx.dialect.id === "gemini" ? queryKey(ctx.request.url) : null);
      if (key === null) throw unauthorized(`Missing API key. Send it as 'Authorization: Bearer <key>', 'x-api-key: <key>'${ctx.dialect.id === "gemini" ? ", 'x-goog-api-key: <key>' or '?key=<key>'" : " or 'x-goog-api-key: <key>'"}.`);
      const stored = byHash.get(hashes.hashOf(key, inTable));
      if (stored === undefined) throw unauthorized("Incorrect API key provided.");
      if (stored.disabled) throw unauthorized("This API key has been disabled.");
      if (Date.now() >= stored.expiresAt) throw unauthorized("This API key has expired.");
      ctx.principal = stored.principal;
      ctx.vars.authKeyId = stored.principal.id;
      if (ctx.surface !== "models" && !stored.allows(ctx.model)) {
        throw new GatewayError({
          status: 403,
          message: `This API key is not allowed to use the model '${ctx.model}'.`,
          code: "model_not_allowed",
          param: "model",
          fault: "policy",
        });
      }
    },

    filterModels(ctx, models) {
      const allows = ctx.principal === null ? undefined : allowsByPrincipal.get(ctx.principal);
      return allows === undefined ? models : models.filter((m) => allows(m.id));
    },

    async close() {
      unsubscribe?.();
      unsubscribe = null;
      if (store !== undefined) await storeHeld.close(store);
    },
  });
  offerState(plugin, STORE_STATE, () => store);
  return plugin;
}
