import { h, uid } from "./dom.ts";

/** `1h` is the live ring; the others come from the log store. */
export type RangeName = "1h" | "6h" | "24h" | "7d";

const STORED: { name: RangeName; label: string; long: string }[] = [
  { name: "6h", label: "6 h", long: "6 hours" },
  { name: "24h", label: "24 h", long: "24 hours" },
  { name: "7d", label: "7 d", long: "7 days" },
];

export const RANGE_WORDS: Record<RangeName, string> = { "1h": "hour", "6h": "6 hours", "24h": "24 hours", "7d": "7 days" };

export interface RangePicker {
  readonly element: HTMLElement;
  /** Name the live option by what the ring holds ("Last hour", "Last 3 min"). */
  setLive(label: string): void;
  /** Offer the longer ranges when a log store keeps history; otherwise keep them disabled, saying why. */
  setStore(store: string | null): void;
}

/**
 * The Overview's range: radio buttons drawn as one segmented control, so arrow keys move between
 * the ranges and a screen reader hears one labelled group. A disabled range keeps its reason both
 * as a tooltip and as visible text the group points to.
 */
export function rangePicker(onChange: (range: RangeName) => void): RangePicker {
  const name = uid("range");
  const hintId = `${name}-hint`;
  const hint = h("small", { id: hintId, class: "muted range-hint" }, "Checking for a log store…");
  const option = (value: RangeName, text: string): { input: HTMLInputElement; label: HTMLLabelElement } => {
    const id = `${name}-${value}`;
    const input = h("input", { type: "radio", name, id, value, class: "visually-hidden", checked: value === "1h", disabled: value !== "1h" });
    input.addEventListener("change", () => input.checked && onChange(value));
    return { input, label: h("label", { for: id }, text) };
  };
  const live = option("1h", "Last hour");
  const stored = STORED.map((r) => ({ ...r, ...option(r.name, r.label) }));
  for (const r of stored) r.input.setAttribute("aria-describedby", hintId);
  const labelId = `${name}-label`;
  const element = h(
    "div",
    { class: "range" },
    h("div", { class: "range-row" }, h("span", { id: labelId, class: "range-label" }, "Range"), h("div", { class: "segmented", role: "radiogroup", "aria-labelledby": labelId }, [live, ...stored].flatMap((o) => [o.input, o.label]))),
    hint,
  );
  return {
    element,
    setLive(label) {
      live.label.textContent = label;
    },
    setStore(store) {
      const why = store === null ? "Longer ranges need a Postgres log sink (postgresSink in log()); none is configured." : null;
      hint.textContent = why ?? `Last hour: live, from memory. Longer ranges: from ${store}.`;
      for (const r of stored) {
        r.input.disabled = why !== null;
        if (why === null) r.label.removeAttribute("title");
        else r.label.title = `The last ${r.long}: ${why}`;
      }
    },
  };
}
