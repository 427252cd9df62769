import { call } from "../api.ts";
import { field, h, replace, table } from "../dom.ts";
import { ms, time, usd } from "../format.ts";

const FILTERS = [
  { name: "id", label: "Request id" },
  { name: "key", label: "Key" },
  { name: "team", label: "Team" },
  { name: "model", label: "Model" },
  { name: "provider", label: "Provider" },
  { name: "status", label: "Status", hint: "200, 429 or 5xx" },
] as const;

function badge(status: number): HTMLElement {
  return h("span", { class: `badge ${status >= 500 ? "bad" : status >= 400 ? "warn" : "ok"}` }, String(status));
}

function localInput(name: string): HTMLInputElement {
  return h("input", { name, type: "datetime-local", step: "1" });
}

/** The recent request log with filters; `#/requests/<id>` opens one request. */
export function requestsPage(main: HTMLElement, id: string | undefined): () => void {
  if (id !== undefined) return detail(main, id);
  const params = new URLSearchParams(location.hash.split("?")[1] ?? "");
  const inputs = FILTERS.map((f) => ({ ...f, input: h("input", { name: f.name, type: "search", value: params.get(f.name) ?? "", autocomplete: "off" }) }));
  const fault = h("select", { name: "fault" }, ["", "none", "client", "policy", "provider", "gateway"].map((v) => h("option", { value: v }, v === "" ? "any" : v)));
  const source = h("select", { name: "source" }, h("option", { value: "memory" }, "recent (memory)"));
  const sourceField = field("Source", source);
  sourceField.hidden = true;
  const since = localInput("since");
  const until = localInput("until");
  const results = h("div", { "aria-live": "polite" });
  let limit = 50;
  const form = h(
    "form",
    { class: "filters card", role: "search", "aria-label": "Filter requests" },
    inputs.map((f) => field(f.label, f.input, "hint" in f ? f.hint : undefined)),
    field("Fault", fault),
    sourceField,
    field("From", since),
    field("Until", until),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Search"), h("button", { type: "reset", class: "secondary" }, "Clear")),
  );

  async function load(): Promise<void> {
    const query = new URLSearchParams();
    for (const f of inputs) if (f.input.value.trim() !== "") query.set(f.name, f.input.value.trim());
    if (fault.value !== "") query.set("fault", fault.value);
    if (since.value !== "") query.set("since", new Date(since.value).toISOString());
    if (until.value !== "") query.set("until", new Date(until.value).toISOString());
    query.set("limit", String(limit));
    query.set("source", source.value);
    try {
      const list = await call<{ capacity: number; source: string; store: string | null; data: any[] }>(`requests?${query}`);
      if (list.store !== null && source.options.length === 1) {
        source.append(h("option", { value: "store" }, `${list.store} (everything stored)`));
        sourceField.hidden = false;
      }
      replace(
        results,
        h("p", { class: "muted small" }, list.source === "store" ? `${list.data.length} shown, newest first, from ${list.store}.` : `${list.data.length} shown, newest first (the last ${list.capacity} requests are kept in memory).`),
        table(
          "Recent requests",
          ["Time", "Request", "Key", "Model", "Provider", "Status", "Fault", "Attempts", "Total", "Cost", "Cache"],
          list.data.map((r) => [
            time(r.time),
            h("a", { href: `#/requests/${encodeURIComponent(r.id)}`, class: "mono" }, r.id),
            r.key ?? "–",
            r.model ?? "–",
            r.provider ?? "–",
            badge(r.status),
            r.fault ?? "–",
            String(r.attempts),
            ms(r.totalMs),
            usd(r.costUsd),
            r.cache ?? "–",
          ]),
          "No request matches.",
        ),
        list.data.length < limit || limit >= 500 ? null : h("button", { type: "button", class: "secondary", onclick: () => ((limit += 50), void load()) }, "Show more"),
      );
    } catch (error) {
      replace(results, h("p", { class: "error", role: "alert" }, (error as Error).message));
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    limit = 50;
    void load();
  });
  form.addEventListener("reset", () => setTimeout(() => void load()));
  replace(main, h("h1", null, "Requests"), form, results);
  void load();
  return () => {};
}

function dl(rows: [string, string | Node][]): HTMLElement {
  return h("dl", { class: "facts" }, rows.flatMap(([k, v]) => [h("dt", null, k), h("dd", null, v)]));
}

/** One request: what was asked, the route taken, every attempt, and what it cost. */
function detail(main: HTMLElement, id: string): () => void {
  replace(main, h("p", null, h("a", { href: "#/requests" }, "← All requests")), h("h1", null, "Request ", h("span", { class: "mono" }, id)), h("p", { class: "muted" }, "Loading…"));
  call<any>(`requests/${encodeURIComponent(id)}`)
    .then((r) => {
      const usage = r.usage;
      const route = [r.requested.model ?? "–", "→", ...r.attempts.map((a: any) => `${a.provider}/${a.model} (${a.outcome})`)].join(" ");
      const sections: Node[] = [
        h("section", { class: "card", "aria-labelledby": "summary-title" }, h("h2", { id: "summary-title" }, "Summary"), dl([
          ["Status", badge(r.status)],
          ["Time", new Date(r.time).toISOString()],
          ["Surface", `${r.surface} (${r.method} ${r.path})`],
          ["Key", r.principal === null ? "–" : `${r.principal.id}${r.principal.team ? ` (team ${r.principal.team})` : ""}`],
          ["Route", route],
          ["Served by", r.served === null ? "–" : `${r.served.provider}/${r.served.model}`],
          ["Stream", r.requested.stream ? "yes" : "no"],
          ["Cache", r.cache ?? "–"],
          ["Cost", usd(r.costUsd)],
          ["Usage", usage === null ? "–" : `${usage.inputTokens} in (${usage.cachedTokens} cached) · ${usage.outputTokens} out (${usage.reasoningTokens} reasoning)`],
          ["Timings", `total ${ms(r.timings.totalMs)} · first byte ${ms(r.timings.firstByteMs)} · upstream ${ms(r.timings.upstreamMs)} · gateway ${ms(r.timings.overheadMs)}`],
          ["Dropped fields", r.dropped === null ? "none" : r.dropped.join(", ")],
        ])),
        h("section", { class: "card", "aria-labelledby": "attempts-title" }, h("h2", { id: "attempts-title" }, `Attempts (${r.attempts.length})`), table(
          "Attempts",
          ["#", "Target", "Outcome", "Status", "Started", "First byte", "Duration", "Error", "Fault"],
          r.attempts.map((a: any) => [String(a.index), `${a.provider}/${a.model}`, h("span", { class: `badge ${a.outcome === "ok" ? "ok" : a.outcome === "error" ? "bad" : "warn"}` }, a.outcome), a.status ? String(a.status) : "–", `+${ms(a.startMs)}`, ms(a.firstByteMs), ms(a.durationMs), a.errorCode ?? "–", a.fault ?? "–"]),
          "No upstream attempt: the gateway answered by itself.",
        )),
      ];
      if (r.error !== null) {
        sections.push(h("section", { class: "card", "aria-labelledby": "error-title" }, h("h2", { id: "error-title" }, "Error"), dl([
          ["Code", r.error.code ?? "–"],
          ["Fault", r.error.fault],
          ["Message", r.error.message],
          ...(r.error.plugin ? [["Raised by", `${r.error.plugin}${r.error.hook ? ` (${r.error.hook})` : ""}`] as [string, string]] : []),
          ...(r.error.upstream ? [["Upstream said", `${r.error.upstream.status}: ${r.error.upstream.body}`] as [string, string]] : []),
        ])));
      }
      for (const part of ["request", "response"] as const) {
        if (r[part] !== undefined) sections.push(h("section", { class: "card" }, h("h2", null, `${part === "request" ? "Request" : "Response"} body (redacted${r[part].truncated ? ", truncated" : ""})`), h("pre", { tabindex: "0" }, r[part].text)));
      }
      replace(main, h("p", null, h("a", { href: "#/requests" }, "← All requests")), h("h1", null, "Request ", h("span", { class: "mono" }, id)), ...sections);
    })
    .catch((error) => replace(main, h("p", null, h("a", { href: "#/requests" }, "← All requests")), h("h1", null, "Request"), h("p", { class: "error", role: "alert" }, (error as Error).message)));
  return () => {};
}
