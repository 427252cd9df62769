import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import type { RequestContext } from "../../core/context.ts";
import { GatewayError } from "../../core/errors.ts";
import { definePlugin, type Plugin } from "../../core/plugin.ts";
import type { Principal } from "../../core/types.ts";
import { compileModelMatcher } from "../model-match.ts";
import { loadKeys } from "./key-sources.ts";

export interface AuthKey {
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

export interface AuthOptions {
  /** Keys in the config itself. */
  keys?: AuthKey[];
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

const encoder = new TextEncoder();
const HEX_HASH = /^(?:sha256:)?([0-9a-f]{64})$/i;

/**
 * Synchronous on purpose: Web Crypto's digest is asynchronous, and on Node each call is a trip
 * through the thread pool that cost more than the rest of the auth check under load. A key is a
 * few dozen bytes, which a JS SHA-256 hashes in about a microsecond.
 */
function sha256Hex(text: string): string {
  return bytesToHex(sha256(encoder.encode(text)));
}

/** The SHA-256 of a key as `auth` stores it: put it in `hash` to keep secrets out of config. */
export function hashKey(secret: string): Promise<string> {
  return Promise.resolve(`sha256:${sha256Hex(secret)}`);
}

/** `Authorization: Bearer <key>` (OpenAI clients) or `x-api-key: <key>` (Anthropic clients). */
function presentedKey(request: Request): string | null {
  const authorization = request.headers.get("authorization");
  if (authorization !== null) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    return match === null ? null : match[1];
  }
  const apiKey = request.headers.get("x-api-key");
  return apiKey !== null && apiKey.length > 0 ? apiKey.trim() : null;
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

/**
 * Virtual keys from config, an environment variable or a file. Keys are stored as SHA-256 hashes
 * and looked up by the hash of what the caller presents, so no secret is kept in plain text once
 * the gateway has started and the comparison time does not depend on how much of a secret
 * matched. Each key has an id, optional team, tags and metadata (all on `ctx.principal` for later
 * plugins and logs; the secret never is), the models it may use, an expiry and a disabled flag.
 * The caller's key never reaches an upstream: providers send their own credentials.
 */
export function auth(options: AuthOptions): Plugin {
  if (!options || (options.keys === undefined && options.env === undefined && options.file === undefined)) {
    throw new TypeError("auth: give keys, env (a variable holding JSON keys) or file (a JSON key file)");
  }
  if (options.keys !== undefined && !Array.isArray(options.keys)) throw new TypeError("auth: options.keys must be an array");
  const byHash = new Map<string, StoredKey>();
  const allowsByPrincipal = new WeakMap<Principal, (model: string) => boolean>();
  // Dropped after setup, so this plugin holds no reference to a plain-text secret.
  let sources: AuthOptions | null = { keys: options.keys, env: options.env, file: options.file };

  return definePlugin({
    name: "auth",
    enforce: "pre",
    async setup() {
      // Secrets are dropped once hashed, so one auth() instance serves one gateway.
      if (sources === null) throw new Error("this auth() instance already serves a gateway; call auth() once per gateway");
      const loaded = await loadKeys(sources);
      sources = null;
      const ids = new Set<string>();
      for (const { entry, where } of loaded) {
        if (!entry || typeof entry.id !== "string" || entry.id.length === 0) throw new Error(`${where}.id must be a non-empty string`);
        if (ids.has(entry.id)) throw new Error(`${where}.id "${entry.id}" is used twice`);
        ids.add(entry.id);
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
        if (byHash.has(hash)) throw new Error(`${where} (id "${entry.id}") repeats the secret of another key`);
        if (entry.team !== undefined && typeof entry.team !== "string") throw new Error(`${where}.team must be a string`);
        if (entry.region !== undefined && typeof entry.region !== "string") throw new Error(`${where}.region must be a string`);
        const principal: Principal = Object.freeze({
          id: entry.id,
          team: entry.team,
          tags: optionalStrings(entry.tags, `${where}.tags`),
          metadata: optionalMetadata(entry.metadata, where),
          region: entry.region,
          regions: optionalStrings(entry.regions, `${where}.regions`),
        });
        const models = optionalStrings(entry.models, `${where}.models`);
        const allows = models === undefined ? () => true : compileModelMatcher(models);
        byHash.set(hash, { principal, allows, expiresAt: parseExpiry(entry.expiresAt, where), disabled: entry.disabled === true });
        allowsByPrincipal.set(principal, allows);
      }
    },

    describe: () => ({ keys: byHash.size }),

    onRequest(ctx: RequestContext) {
      const key = presentedKey(ctx.request);
      if (key === null) throw unauthorized("Missing API key. Send it as 'Authorization: Bearer <key>' or 'x-api-key: <key>'.");
      const stored = byHash.get(sha256Hex(key));
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
  });
}
