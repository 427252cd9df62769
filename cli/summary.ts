import type { Gateway } from "../core/gateway.ts";
import { pluginApis } from "../core/plugin-api.ts";

const MAX_MODELS_SHOWN = 8;

/**
 * The second startup line: what the gateway serves, who may call it and where its request logs
 * go, so a new user sees at once whether the gateway is open and where to look.
 */
export function describeGateway(gateway: Gateway): string {
  const ids = gateway.models().map((m) => m.id);
  const models = ids.length === 0
    ? "none listed (address models as <provider>/<model>)"
    : ids.length <= MAX_MODELS_SHOWN ? ids.join(", ") : `${ids.slice(0, MAX_MODELS_SHOWN).join(", ")} and ${ids.length - MAX_MODELS_SHOWN} more`;
  return `  models: ${models}\n  auth: ${describeAuth(gateway)}\n  request logs: ${describeLogs(gateway)}`;
}

function describeAuth(gateway: Gateway): string {
  const auth = gateway.plugins.find((p) => p.name === "auth");
  if (auth === undefined) {
    const guarded = gateway.plugins.some((p) => p.name === "host-guard");
    return guarded
      ? "off: any program that reaches this address by an allowed Host name may call it (add the auth plugin to require keys)"
      : "off: anyone who can reach this address may call it (add the auth plugin to require keys)";
  }
  const described = auth.describe?.() ?? {};
  const keys = typeof described.keys === "number" ? `${described.keys} key${described.keys === 1 ? "" : "s"}` : "on";
  return typeof described.store === "string" ? `${keys}, and keys from the ${described.store} key store` : keys;
}

function describeLogs(gateway: Gateway): string {
  const targets: string[] = [];
  for (const { api } of pluginApis(gateway.plugins, "log")) targets.push(...api.targets);
  return targets.length === 0 ? "off (add the log plugin to record requests)" : targets.join(", ");
}
