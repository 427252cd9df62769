import { h } from "./dom.ts";

/** Light, dark, or the system's choice (no attribute), remembered in this browser. */
type Theme = "system" | "light" | "dark";
const KEY = "switchyard-theme";
const listeners = new Set<() => void>();

function stored(): Theme {
  const value = localStorage.getItem(KEY);
  return value === "light" || value === "dark" ? value : "system";
}

export function applyTheme(theme: Theme = stored()): void {
  if (theme === "system") delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
  for (const listener of listeners) listener();
}

/** Called when the theme changes, so charts can take the new colours. */
export function onThemeChange(listener: () => void): () => void {
  listeners.add(listener);
  const media = matchMedia("(prefers-color-scheme: dark)");
  media.addEventListener("change", listener);
  return () => {
    listeners.delete(listener);
    media.removeEventListener("change", listener);
  };
}

export function themeButton(): HTMLButtonElement {
  const label = (theme: Theme): string => `Theme: ${theme}`;
  const button = h("button", { type: "button", class: "secondary", "aria-label": "Change theme" }, label(stored()));
  button.addEventListener("click", () => {
    const next: Theme = ({ system: "light", light: "dark", dark: "system" } as const)[stored()];
    if (next === "system") localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, next);
    button.textContent = label(next);
    applyTheme(next);
  });
  return button;
}
