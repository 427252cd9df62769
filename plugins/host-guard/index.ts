import { GatewayError } from "../../core/errors.ts";
import { definePlugin, type Plugin } from "../../core/plugin.ts";

export interface HostGuardOptions {
  /**
   * `Host` header values the gateway answers to: a name or address (any port), `name:port`, or
   * `*.example.com` (any subdomain). Default: loopback only (`localhost`, `127.0.0.1`, `[::1]`).
   */
  hosts?: readonly string[];
  /**
   * Browser origins allowed to call the gateway (`https://app.example.com`, exactly). A request
   * with any other `Origin` is refused, except one from the gateway's own origin. Requests with
   * no `Origin` (every non-browser client) are not affected. Default: none.
   */
  origins?: readonly string[];
}

/** The loopback names a DNS-rebinding page cannot make a browser send as `Host`. */
export const LOOPBACK_HOSTS: readonly string[] = Object.freeze(["localhost", "127.0.0.1", "[::1]"]);

interface HostPattern {
  /** Lowercase name, `[v6]` in brackets; for a wildcard, the suffix after `*` (`.example.com`). */
  readonly name: string;
  readonly wildcard: boolean;
  /** null: any port. */
  readonly port: string | null;
}

function compileHost(pattern: string): HostPattern {
  if (typeof pattern !== "string" || pattern.length === 0) throw new TypeError("hostGuard: hosts must be non-empty strings");
  let text = pattern.trim().toLowerCase();
  // A bare IPv6 address (::1) is written in brackets in a Host header.
  if (text.includes(":") && !text.startsWith("[") && text.indexOf(":") !== text.lastIndexOf(":")) text = `[${text}]`;
  const split = splitHost(text);
  const wildcard = split.name.startsWith("*.");
  return { name: wildcard ? split.name.slice(1) : split.name, wildcard, port: split.port };
}

/** `name[:port]` → its parts; an IPv6 literal keeps its brackets. */
function splitHost(host: string): { name: string; port: string | null } {
  const close = host.lastIndexOf("]");
  const colon = host.lastIndexOf(":");
  if (colon > close && colon > 0) return { name: host.slice(0, colon), port: host.slice(colon + 1) };
  return { name: host, port: null };
}

function matches(pattern: HostPattern, name: string, port: string | null): boolean {
  if (pattern.port !== null && pattern.port !== port) return false;
  return pattern.wildcard ? name.endsWith(pattern.name) && name.length > pattern.name.length : name === pattern.name;
}

function refuse(what: "host" | "origin", value: string): GatewayError {
  const shown = value.length > 100 ? `${value.slice(0, 100)}…` : value;
  return new GatewayError({
    status: 403,
    type: "permission_error",
    message: what === "host"
      ? `This gateway does not answer to the host '${shown}'. Use one of the hosts it is configured for.`
      : `Requests from the web origin '${shown}' are not allowed.`,
    code: what === "host" ? "host_not_allowed" : "origin_not_allowed",
    fault: "policy",
  });
}

/**
 * Answer only requests addressed to an allowed `Host`, and from browsers only on allowed
 * origins: the defence against DNS rebinding (a web page that points its own name at the
 * gateway's address) and against pages that make a visitor's browser send requests to a gateway
 * on their network. It runs first, before auth, on every API surface (`/health`, `/ready` and
 * plugin routes are not checked).
 */
export function hostGuard(options: HostGuardOptions = {}): Plugin {
  const hosts = (options.hosts ?? LOOPBACK_HOSTS).map(compileHost);
  const origins = new Set(
    (options.origins ?? []).map((origin) => {
      let parsed: URL;
      try {
        parsed = new URL(origin);
      } catch {
        throw new TypeError(`hostGuard: origins must be URLs such as https://app.example.com, got "${origin}"`);
      }
      return parsed.origin;
    }),
  );
  if (hosts.length === 0) throw new TypeError("hostGuard: hosts must list at least one host");

  return definePlugin({
    name: "host-guard",
    enforce: "pre",
    describe: () => ({ hosts: options.hosts ?? LOOPBACK_HOSTS, origins: [...origins] }),
    onRequest(ctx) {
      const headers = ctx.request.headers;
      // An in-process request has no Host header: its URL says where it was sent.
      const host = (headers.get("host") ?? new URL(ctx.request.url).host).toLowerCase();
      const { name, port } = splitHost(host);
      if (!hosts.some((pattern) => matches(pattern, name, port))) throw refuse("host", host);
      const origin = headers.get("origin");
      if (origin === null || origins.has(origin)) return undefined;
      // The gateway's own origin (same scheme-less host and port) is not a foreign page.
      if (origin === `http://${host}` || origin === `https://${host}`) return undefined;
      throw refuse("origin", origin);
    },
  });
}
