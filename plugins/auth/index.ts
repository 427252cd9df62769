import type { RequestContext } from "../../core/context.ts";
import { GatewayError } from "../../core/errors.ts";
import { definePlugin, type Plugin } from "../../core/plugin.ts";
import type { Principal } from "../../core/types.ts";
import { compileModelMatcher } from "../model-match.ts";

export interface AuthKey {
  /** A stable id for logs and limits; never the secret. */
  id: string;
  /** The secret the caller presents. Hashed at setup and not kept in plain text. */
  key: string;
  /** Models this key may use: aliases, `provider/model` ids, or globs (`openai/*`). Default: all. */
  models?: string[];
  team?: string;
  tags?: string[];
  /** The key's home region: regional routing sends its requests there. */
  region?: string;
  /** Regions the caller may pick per request with the region header (default: only `region`). */
  regions?: string[];
}

export interface AuthOptions {
  keys: AuthKey[];
}

interface StoredKey {
  readonly principal: Principal;
  readonly allows: (model: string) => boolean;
}

const encoder = new TextEncoder();

async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text)));
  let hex = "";
  for (let i = 0; i < digest.length; i++) hex += digest[i].toString(16).padStart(2, "0");
  return hex;
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

declare module "../../core/context.ts" {
  interface ContextVariables {
    /** The id of the key that authenticated the request (set by `auth`). */
    authKeyId?: string;
  }
}

/**
 * Virtual keys. Keys are stored as SHA-256 hashes and looked up by the hash of what the caller
 * presents, so the comparison time does not depend on how much of a secret matched. The caller's
 * key never reaches an upstream: providers send their own credentials.
 */
export function auth(options: AuthOptions): Plugin {
  if (!options || !Array.isArray(options.keys)) throw new TypeError("auth: options.keys must be an array");
  const byHash = new Map<string, StoredKey>();
  const allowsByPrincipal = new WeakMap<Principal, (model: string) => boolean>();
  const pending = options.keys;

  return definePlugin({
    name: "auth",
    enforce: "pre",
    async setup() {
      const ids = new Set<string>();
      for (const [index, entry] of pending.entries()) {
        if (!entry || typeof entry.id !== "string" || entry.id.length === 0) throw new Error(`keys[${index}].id must be a non-empty string`);
        if (typeof entry.key !== "string" || entry.key.length < 8) throw new Error(`keys[${index}].key (id "${entry.id}") must be a string of at least 8 characters`);
        if (ids.has(entry.id)) throw new Error(`keys[${index}].id "${entry.id}" is used twice`);
        ids.add(entry.id);
        const hash = await sha256Hex(entry.key);
        if (byHash.has(hash)) throw new Error(`keys[${index}] (id "${entry.id}") repeats the secret of another key`);
        const principal: Principal = Object.freeze({
          id: entry.id,
          team: entry.team,
          tags: entry.tags ? Object.freeze([...entry.tags]) : undefined,
          region: entry.region,
          regions: entry.regions ? Object.freeze([...entry.regions]) : undefined,
        });
        const allows = entry.models === undefined ? () => true : compileModelMatcher(entry.models);
        byHash.set(hash, { principal, allows });
        allowsByPrincipal.set(principal, allows);
      }
    },

    async onRequest(ctx: RequestContext) {
      const key = presentedKey(ctx.request);
      if (key === null) throw unauthorized("Missing API key. Send it as 'Authorization: Bearer <key>' or 'x-api-key: <key>'.");
      const stored = byHash.get(await sha256Hex(key));
      if (stored === undefined) throw unauthorized("Incorrect API key provided.");
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
