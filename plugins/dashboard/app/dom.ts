/** Tiny DOM helpers: elements from data only, never from HTML strings, so nothing shown can inject markup. */
export type Child = Node | string | number | null | undefined | false;

type Props = Record<string, unknown> | null | undefined;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props?: Props, ...children: (Child | Child[])[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") element.addEventListener(name.slice(2).toLowerCase(), value as EventListener);
    else if (name === "class") element.className = String(value);
    else if (name === "for") (element as HTMLLabelElement).htmlFor = String(value);
    else if (name === "value") (element as HTMLInputElement).value = String(value);
    else if (name === "checked") (element as HTMLInputElement).checked = Boolean(value);
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  append(element, children);
  return element;
}

export function append(parent: Node, children: (Child | Child[])[]): void {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
  }
}

/** Replace everything inside `parent`. */
export function replace(parent: Element, ...children: (Child | Child[])[]): void {
  parent.replaceChildren();
  append(parent, children);
}

let ids = 0;
/** A unique id for pairing a label with its control. */
export function uid(prefix: string): string {
  return `${prefix}-${++ids}`;
}

/** A labelled form field. */
export function field(label: string, control: HTMLInputElement | HTMLSelectElement, hint?: string): HTMLElement {
  const id = control.id || uid("f");
  control.id = id;
  const hintId = hint === undefined ? undefined : `${id}-hint`;
  if (hintId !== undefined) control.setAttribute("aria-describedby", hintId);
  return h("div", { class: "field" }, h("label", { for: id }, label), control, hint === undefined ? null : h("small", { id: hintId, class: "muted" }, hint));
}

/**
 * A table in a scrolling box. On a phone each row becomes a card of label: value lines (the
 * labels come from `data-label`, CSS-only), so nothing hides off to the side.
 */
export function table(caption: string, head: string[], rows: (Child | Child[])[][], empty = "Nothing yet."): HTMLElement {
  return h(
    "div",
    { class: "table-wrap", tabindex: "0", role: "region", "aria-label": caption },
    h(
      "table",
      null,
      h("caption", { class: "visually-hidden" }, caption),
      h("thead", null, h("tr", null, head.map((name) => h("th", { scope: "col" }, name)))),
      h("tbody", null, rows.length === 0 ? h("tr", null, h("td", { colspan: String(head.length), class: "muted" }, empty)) : rows.map((cells) => h("tr", null, cells.map((cell, i) => h("td", { "data-label": head[i] }, cell))))),
    ),
  );
}
