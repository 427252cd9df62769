import * as v from "valibot";
import type { Plugin } from "./plugin.ts";
import type { ProviderAdapter } from "./provider.ts";
import type { UpstreamClient } from "./upstream.ts";
import type { GatewayError } from "./errors.ts";

export interface GatewayLimits {
  /** Largest request body accepted, in bytes. Default 8 MiB. */
  maxBodyBytes?: number;
  /** Deepest JSON nesting accepted in a request body (deeper is a 400). Default 128. */
  maxJsonDepth?: number;
  /** Hard cap on upstream attempts per request, whatever plugins decide. Default 10. */
  maxAttempts?: number;
  /**
   * The most a client may ask for with `x-switchyard-timeout-ms` (the total time of each attempt);
   * larger values are lowered to it. Default 600 000 (10 minutes).
   */
  maxTimeoutMs?: number;
}

/**
 * Limits on what a client connection may cost the HTTP server, applied by every runtime adapter
 * (Node, Deno and Bun alike) when it serves the gateway. A client over a limit gets a JSON error
 * (408 or 431) and its connection is closed.
 */
export interface ServerLimits {
  /** Time from a connection opening (or a request beginning) to the end of its headers. Default 10 000 ms. */
  headersTimeoutMs?: number;
  /** Time to receive a whole request, headers and body (the response is not counted). Default 60 000 ms. */
  requestTimeoutMs?: number;
  /** How long a keep-alive connection may sit idle between requests. Default 65 000 ms. */
  keepAliveTimeoutMs?: number;
  /** Largest request line and header block, in bytes. Default 16 384. */
  maxHeaderBytes?: number;
  /** Most header fields in one request. Default 100. */
  maxHeaders?: number;
}

export interface GatewayConfig {
  /** Named providers; a request addresses one as `<name>/<model>`, or through route aliases. */
  providers: Record<string, ProviderAdapter>;
  plugins?: Plugin[];
  limits?: GatewayLimits;
  /** Slow-client and header limits for the HTTP server that serves this gateway. */
  server?: ServerLimits;
  /** How bytes reach providers. Runtime adapters supply their fastest; default is `fetch`. */
  upstream?: UpstreamClient;
  /** Where problems that must not fail a request go (onComplete errors, for example). */
  onError?: (error: GatewayError) => void;
}

/** Identity helper that gives a config script its types. */
export function defineConfig(config: GatewayConfig): GatewayConfig {
  return config;
}

const isFunction = (input: unknown): boolean => typeof input === "function";

const providerSchema = v.looseObject(
  {
    kind: v.string("must be a string"),
    format: v.string("must be a string naming a wire format"),
    send: v.custom(isFunction, "must be a function"),
    models: v.optional(v.array(v.string("must be a string"), "must be an array of strings")),
  },
  "must be a provider adapter (use a factory from switchyard/providers)",
);

const providerName = v.pipe(
  v.string(),
  v.regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, "provider names may use letters, digits, '_', '.', '-' and no '/'"),
);

const positiveInt = v.pipe(v.number("must be a number"), v.integer("must be an integer"), v.minValue(1, "must be at least 1"));

const isPlainObject = (input: unknown): boolean => input !== null && typeof input === "object" && !Array.isArray(input);

const configSchema = v.strictObject(
  {
    providers: v.pipe(
      v.custom<Record<string, unknown>>(isPlainObject, "must be an object of named providers"),
      v.record(providerName, providerSchema, "must be an object of named providers"),
    ),
    plugins: v.optional(
      v.array(v.looseObject({ name: v.pipe(v.string("must be a string"), v.minLength(1, "must not be empty")) }, "must be a plugin object"), "must be an array"),
    ),
    limits: v.optional(
      v.strictObject(
        {
          maxBodyBytes: v.optional(positiveInt),
          maxJsonDepth: v.optional(v.pipe(positiveInt, v.maxValue(1000, "must be at most 1000"))),
          maxAttempts: v.optional(v.pipe(positiveInt, v.maxValue(100, "must be at most 100"))),
          maxTimeoutMs: v.optional(positiveInt),
        },
        "must be an object",
      ),
    ),
    server: v.optional(
      v.pipe(
        v.strictObject(
          {
            headersTimeoutMs: v.optional(positiveInt),
            requestTimeoutMs: v.optional(positiveInt),
            keepAliveTimeoutMs: v.optional(positiveInt),
            maxHeaderBytes: v.optional(v.pipe(positiveInt, v.minValue(1024, "must be at least 1024"))),
            maxHeaders: v.optional(v.pipe(positiveInt, v.maxValue(1000, "must be at most 1000"))),
          },
          "must be an object",
        ),
        v.check(
          (limits) => limits.headersTimeoutMs === undefined || limits.requestTimeoutMs === undefined || limits.headersTimeoutMs <= limits.requestTimeoutMs,
          "headersTimeoutMs must not exceed requestTimeoutMs",
        ),
      ),
    ),
    upstream: v.optional(v.looseObject({ request: v.custom(isFunction, "must be a function") }, "must be an upstream client")),
    onError: v.optional(v.custom(isFunction, "must be a function")),
  },
  "must be an object",
);

/** Thrown for an invalid config; the message names the field path. */
export class ConfigError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ConfigError";
  }
}

export function validateConfig(config: unknown): asserts config is GatewayConfig {
  if (config === null || typeof config !== "object") throw new ConfigError("Invalid config: expected an object (the default export of defineConfig)");
  const result = v.safeParse(configSchema, config, { abortEarly: true });
  if (result.success) return;
  const issue = result.issues[0];
  const path = (issue.path ?? []).map((item) => String(item.key)).join(".");
  const where = path.length > 0 ? `"${path}"` : "the config";
  // A strict object reports an unknown key as an issue that expects "never" at that key.
  const message = issue.type === "strict_object" && issue.expected === "never"
    ? `unknown key ${issue.received}`
    : issue.input === undefined
      ? "is required"
      : issue.message;
  throw new ConfigError(`Invalid config at ${where}: ${message}`);
}
