import { ApiError, call } from "../api.ts";
import { field, h, replace, table } from "../dom.ts";
import { usd } from "../format.ts";

interface Limits {
  rpm?: number;
  tpm?: number;
  concurrent?: number;
  budgetUsd?: number;
  budgetPeriod?: "day" | "month" | "total";
}
interface Key extends Limits {
  id: string;
  team?: string;
  hint?: string;
  models?: string[];
  disabled?: boolean;
  expiresAt?: string;
}
interface Team extends Limits {
  id: string;
}
type SpendRow = { key?: string | null; team?: string | null; costUsd: number; requests: number };

/** Where each budget period starts, for asking the admin API what was spent in it. */
function periodStart(period: "day" | "month" | "total"): string | null {
  const now = new Date();
  if (period === "total") return null;
  if (period === "day") return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())).toISOString();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString();
}

async function spendBy(by: "key" | "team"): Promise<Record<"day" | "month" | "total", Map<string, number>>> {
  const out = {} as Record<"day" | "month" | "total", Map<string, number>>;
  await Promise.all(
    (["day", "month", "total"] as const).map(async (period) => {
      const from = periodStart(period);
      const result = await call<{ data: SpendRow[] }>(`admin/spend?by=${by}${from === null ? "" : `&from=${encodeURIComponent(from)}`}`);
      out[period] = new Map(result.data.map((row) => [String(row[by] ?? ""), row.costUsd]));
    }),
  );
  return out;
}

/** Spend in the record's budget period against its budget, as a meter. */
function spendCell(record: Limits, spend: Record<"day" | "month" | "total", Map<string, number>>, id: string): Node {
  const period = record.budgetPeriod ?? "month";
  const spent = spend[period].get(id) ?? 0;
  if (record.budgetUsd === undefined) return h("span", null, `${usd(spent)} this ${period === "total" ? "lifetime" : period}`);
  const share = record.budgetUsd === 0 ? 1 : Math.min(1, spent / record.budgetUsd);
  return h(
    "div",
    { class: "spend" },
    h("meter", { min: "0", max: "1", low: "0.7", high: "0.9", optimum: "0", value: String(share), "aria-label": `Spend of ${id} against its budget` }),
    h("span", null, `${usd(spent)} / ${usd(record.budgetUsd)} per ${period}`),
  );
}

function numberInput(name: string, value: number | undefined, step = "1"): HTMLInputElement {
  return h("input", { name, type: "number", min: "0", step, inputmode: "decimal", value: value === undefined ? "" : String(value) });
}

function periodSelect(value: string | undefined): HTMLSelectElement {
  const select = h("select", { name: "budgetPeriod" }, ["", "day", "month", "total"].map((p) => h("option", { value: p }, p === "" ? "default" : p)));
  select.value = value ?? "";
  return select;
}

/** The limit fields of a form, read back: empty means "not set" (null on an edit, to remove it). */
function limitsOf(form: HTMLFormElement, forEdit: boolean): Record<string, unknown> {
  const data = new FormData(form);
  const out: Record<string, unknown> = {};
  for (const name of ["rpm", "tpm", "concurrent", "budgetUsd"]) {
    const text = String(data.get(name) ?? "").trim();
    if (text !== "") out[name] = Number(text);
    else if (forEdit) out[name] = null;
  }
  const period = String(data.get("budgetPeriod") ?? "");
  if (period !== "") out.budgetPeriod = period;
  else if (forEdit) out.budgetPeriod = null;
  return out;
}

function limitFields(record: Limits): HTMLElement[] {
  return [
    field("Requests/min", numberInput("rpm", record.rpm)),
    field("Tokens/min", numberInput("tpm", record.tpm)),
    field("Concurrent", numberInput("concurrent", record.concurrent)),
    field("Budget (USD)", numberInput("budgetUsd", record.budgetUsd, "0.01")),
    field("Budget period", periodSelect(record.budgetPeriod)),
  ];
}

function limitsText(record: Limits): string {
  const parts = [record.rpm === undefined ? null : `${record.rpm} rpm`, record.tpm === undefined ? null : `${record.tpm} tpm`, record.concurrent === undefined ? null : `${record.concurrent} at once`];
  return parts.filter(Boolean).join(" · ") || "defaults";
}

/** Keys and teams through the admin API: list, create (the secret shown once), edit, disable, delete. */
export function keysPage(main: HTMLElement): () => void {
  const message = h("div", { role: "status", "aria-live": "polite" });
  const keysBox = h("div");
  const teamsBox = h("div");
  const editor = h("div");

  function say(text: string, kind: "ok" | "error" = "ok"): void {
    replace(message, h("p", { class: kind === "error" ? "error" : "notice" }, text));
  }

  async function act(what: () => Promise<unknown>, done: string): Promise<void> {
    try {
      await what();
      say(done);
      await load();
    } catch (error) {
      say(error instanceof ApiError ? error.message : String(error), "error");
    }
  }

  function edit(key: Key): void {
    const models = h("input", { name: "models", value: (key.models ?? []).join(", ") });
    const team = h("input", { name: "team", value: key.team ?? "" });
    const form = h(
      "form",
      { class: "card", "aria-labelledby": "edit-title" },
      h("h2", { id: "edit-title" }, "Edit key ", h("span", { class: "mono" }, key.id)),
      h("div", { class: "grid" }, field("Team", team), field("Models", models, "Comma-separated; empty allows all"), ...limitFields(key)),
      h("div", { class: "actions" }, h("button", { type: "submit" }, "Save"), h("button", { type: "button", class: "secondary", onclick: () => replace(editor) }, "Cancel")),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const list = models.value.split(",").map((m) => m.trim()).filter(Boolean);
      const body = { ...limitsOf(form, true), team: team.value.trim() === "" ? null : team.value.trim(), models: list.length === 0 ? null : list };
      void act(() => call(`admin/keys/${encodeURIComponent(key.id)}`, { method: "PATCH", body }), `Key ${key.id} saved.`).then(() => replace(editor));
    });
    replace(editor, form);
    form.querySelector("input")?.focus();
  }

  async function load(): Promise<void> {
    try {
      const [keys, teams, keySpend, teamSpend] = await Promise.all([call<{ data: Key[] }>("admin/keys"), call<{ data: Team[] }>("admin/teams"), spendBy("key"), spendBy("team")]);
      replace(
        keysBox,
        table(
          "Keys",
          ["Key", "Team", "Secret ends", "Models", "Limits", "Spend", "State", "Actions"],
          keys.data.map((key) => [
            h("span", { class: "mono" }, key.id),
            key.team ?? "–",
            key.hint === undefined ? "–" : `…${key.hint}`,
            key.models === undefined ? "all" : key.models.join(", "),
            limitsText(key),
            spendCell(key, keySpend, key.id),
            h("span", { class: `badge ${key.disabled ? "bad" : "ok"}`, "data-testid": `key-state-${key.id}` }, key.disabled ? "disabled" : "active"),
            h(
              "div",
              { class: "row-actions" },
              h("button", { type: "button", class: "secondary", "aria-label": `Edit ${key.id}`, onclick: () => edit(key) }, "Edit"),
              h("button", { type: "button", class: "secondary", "aria-label": `${key.disabled ? "Enable" : "Disable"} ${key.id}`, onclick: () => void act(() => call(`admin/keys/${encodeURIComponent(key.id)}`, { method: "PATCH", body: { disabled: !key.disabled } }), `Key ${key.id} ${key.disabled ? "enabled" : "disabled"}.`) }, key.disabled ? "Enable" : "Disable"),
              h("button", { type: "button", class: "danger", "aria-label": `Delete ${key.id}`, onclick: () => confirm(`Delete key ${key.id}? Clients using it are refused at once.`) && void act(() => call(`admin/keys/${encodeURIComponent(key.id)}`, { method: "DELETE" }), `Key ${key.id} deleted.`) }, "Delete"),
            ),
          ]),
          "No keys yet: create one below.",
        ),
      );
      replace(
        teamsBox,
        table(
          "Teams",
          ["Team", "Keys", "Limits", "Spend", "Actions"],
          teams.data.map((team) => [
            h("span", { class: "mono" }, team.id),
            String(keys.data.filter((k) => k.team === team.id).length),
            limitsText(team),
            spendCell(team, teamSpend, team.id),
            h("button", { type: "button", class: "danger", "aria-label": `Delete team ${team.id}`, onclick: () => confirm(`Delete team ${team.id}?`) && void act(() => call(`admin/teams/${encodeURIComponent(team.id)}`, { method: "DELETE" }), `Team ${team.id} deleted.`) }, "Delete"),
          ]),
          "No teams yet.",
        ),
      );
    } catch (error) {
      replace(keysBox, h("p", { class: "error", role: "alert" }, (error as Error).message));
    }
  }

  const newKeyId = h("input", { name: "id", autocomplete: "off", spellcheck: "false" });
  const newKeyTeam = h("input", { name: "team", autocomplete: "off" });
  const newKeyModels = h("input", { name: "models", autocomplete: "off" });
  const createKey = h(
    "form",
    { class: "card", "aria-labelledby": "create-key-title" },
    h("h2", { id: "create-key-title" }, "Create a key"),
    h("div", { class: "grid" }, field("Key id", newKeyId, "Optional; one is made up"), field("Team", newKeyTeam), field("Models", newKeyModels, "Comma-separated; empty allows all"), ...limitFields({})),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Create key")),
  );
  const secretBox = h("div");
  createKey.addEventListener("submit", (event) => {
    event.preventDefault();
    const models = newKeyModels.value.split(",").map((m) => m.trim()).filter(Boolean);
    const body: Record<string, unknown> = { ...limitsOf(createKey, false) };
    if (newKeyId.value.trim() !== "") body.id = newKeyId.value.trim();
    if (newKeyTeam.value.trim() !== "") body.team = newKeyTeam.value.trim();
    if (models.length > 0) body.models = models;
    void act(async () => {
      const created = await call<{ id: string; secret: string }>("admin/keys", { method: "POST", body });
      const secret = h("output", { class: "secret mono", "data-testid": "new-secret" }, created.secret);
      replace(
        secretBox,
        h(
          "div",
          { class: "card notice", role: "alert" },
          h("h2", null, `Key ${created.id} created`),
          h("p", null, "Copy the secret now: it is shown once and only its hash is stored."),
          secret,
          h("div", { class: "actions" }, h("button", { type: "button", class: "secondary", onclick: () => void navigator.clipboard?.writeText(created.secret) }, "Copy"), h("button", { type: "button", class: "secondary", onclick: () => replace(secretBox) }, "Done")),
        ),
      );
      createKey.reset();
    }, "Key created.");
  });

  const newTeamId = h("input", { name: "id", required: true, autocomplete: "off" });
  const createTeam = h(
    "form",
    { class: "card", "aria-labelledby": "create-team-title" },
    h("h2", { id: "create-team-title" }, "Create a team"),
    h("div", { class: "grid" }, field("Team id", newTeamId), ...limitFields({})),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Create team")),
  );
  createTeam.addEventListener("submit", (event) => {
    event.preventDefault();
    const body = { id: newTeamId.value.trim(), ...limitsOf(createTeam, false) };
    void act(() => call("admin/teams", { method: "POST", body }).then(() => createTeam.reset()), `Team ${body.id} created.`);
  });

  replace(main, h("h1", null, "Keys and teams"), message, secretBox, h("h2", null, "Keys"), keysBox, editor, createKey, h("h2", null, "Teams"), teamsBox, createTeam);
  void load();
  return () => {};
}
