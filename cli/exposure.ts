import type { Gateway } from "../core/gateway.ts";
import { CliError } from "./load-config.ts";

/** Addresses only this machine can reach. */
export function isLoopback(address: string): boolean {
  const host = address.replace(/^\[|\]$/g, "").toLowerCase();
  return host === "localhost" || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * Refuse to serve the embedded default (no auth) beyond loopback, before anything listens.
 * `embedded`: the embedded default is what would serve.
 */
export function checkExposure(embedded: boolean, address: string): void {
  if (embedded && !isLoopback(address)) {
    throw new CliError(
      `the embedded default has no auth, so it listens on loopback addresses only, not ${address}; write a config with the auth plugin to serve other machines`,
    );
  }
}

/** What the startup output says about who may use the gateway, or null when there is auth. */
export function exposureNotice(gateway: Gateway, embedded: boolean, address: string): string | null {
  if (gateway.plugins.some((plugin) => plugin.name === "auth")) return null;
  if (embedded) {
    return "switchyard: no auth: any program on this machine can use this gateway (and OPENAI_API_KEY when set); it answers only to Host localhost, 127.0.0.1 or [::1] and refuses browser origins (hostGuard)";
  }
  if (isLoopback(address)) return null;
  return `switchyard: warning: no auth plugin, and listening on ${address}: anyone who can reach it can use this gateway and its provider keys`;
}
