import { ApiError, call } from "../api.ts";
import { h, replace, table } from "../dom.ts";
import { ms, percent } from "../format.ts";

const REFRESH_MS = 2_000;

function circuitBadge(target: any, breaker: boolean): Node {
  const state: string = breaker ? (target.circuit?.state ?? "closed") : "no breaker";
  const kind = state === "open" ? "bad" : state === "half-open" ? "warn" : state === "closed" ? "ok" : "neutral";
  const retry = state === "open" && target.circuit.retryInMs > 0 ? ` (probe in ${Math.ceil(target.circuit.retryInMs / 1000)} s)` : "";
  return h("span", { class: `badge ${kind}`, "data-testid": `circuit-${target.provider}-${target.model}` }, state + retry);
}

/** Every target with its circuit, latency, errors and load; the routing table; the config's version. */
export function providersPage(main: HTMLElement): () => void {
  const config = h("section", { class: "card", "aria-labelledby": "config-title" });
  const targets = h("section", { "aria-labelledby": "targets-title" });
  const routes = h("section", { "aria-labelledby": "routes-title" });
  const message = h("div", { role: "status", "aria-live": "polite" });

  async function reload(): Promise<void> {
    try {
      const result = await call<any>("admin/reload", { method: "POST" });
      replace(message, h("p", { class: "notice" }, `Reloaded: config version ${result.version}.`));
    } catch (error) {
      replace(message, h("p", { class: "error" }, error instanceof ApiError ? error.message : String(error)));
    }
    await load();
  }

  async function load(): Promise<void> {
    try {
      const p = await call<any>("providers");
      const c = p.config;
      const last = c?.lastReload;
      replace(
        config,
        h("h2", { id: "config-title" }, "Config"),
        c === null
          ? h("p", { class: "muted" }, "This gateway does not run in a server that reloads config.")
          : h(
            "dl",
            { class: "facts" },
            h("dt", null, "Version"), h("dd", { "data-testid": "config-version" }, String(c.version)),
            h("dt", null, "Source"), h("dd", { class: "mono" }, c.source),
            h("dt", null, "Loaded"), h("dd", null, new Date(c.loadedAt).toLocaleString()),
            h("dt", null, "Reloads"), h("dd", null, `${c.reloads} ok · ${c.failedReloads} failed`),
            h("dt", null, "Last reload"), h("dd", null, last == null ? "none yet" : last.ok ? `ok at ${new Date(last.at).toLocaleString()}` : `refused at ${new Date(last.at).toLocaleString()}: ${last.error}`),
          ),
        c === null ? null : h("div", { class: "actions" }, h("button", { type: "button", class: "secondary", onclick: () => void reload() }, "Reload config")),
      );
      replace(
        targets,
        h("h2", { id: "targets-title" }, "Targets"),
        p.circuitBreaker ? null : h("p", { class: "muted small" }, "No circuit breaker is configured."),
        p.tracksLoad ? null : h("p", { class: "muted small" }, "In flight per target is counted when a route uses the latency or least-in-flight strategy."),
        table(
          "Targets",
          ["Provider", "Model", "Circuit", "Latency (EWMA)", "Error rate", "In flight", "Attempts", "Errors", "Skipped"],
          p.targets.map((t: any) => [t.provider, t.model, circuitBadge(t, p.circuitBreaker), ms(t.latencyMs), percent(t.errorRate), t.inFlight === null ? "–" : String(t.inFlight), String(t.attempts), String(t.errors), String(t.skipped)]),
          "No target has been tried yet.",
        ),
      );
      replace(
        routes,
        h("h2", { id: "routes-title" }, "Routes"),
        table(
          "Routes",
          ["Alias", "Strategy", "Targets, in fallback order"],
          Object.entries(p.routes as Record<string, any[]>).map(([alias, list]) => [h("span", { class: "mono" }, alias), p.strategies[alias] ?? "ordered", list.map((t) => `${t.provider}/${t.model}${t.weight === undefined ? "" : ` ×${t.weight}`}${t.region ? ` @${t.region}` : ""}`).join(" → ")]),
          "No routes: requests name provider/model directly.",
        ),
      );
    } catch (error) {
      replace(targets, h("p", { class: "error", role: "alert" }, (error as Error).message));
    }
  }

  replace(main, h("h1", null, "Providers and routes"), message, config, targets, routes);
  void load();
  const timer = setInterval(() => void load(), REFRESH_MS);
  return () => clearInterval(timer);
}
