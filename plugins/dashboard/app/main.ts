import "./styles.css";
import { call, setSession, whenLoggedOut } from "./api.ts";
import { h, replace } from "./dom.ts";
import { keysPage } from "./pages/keys.ts";
import { loginPage } from "./pages/login.ts";
import { overviewPage } from "./pages/overview.ts";
import { providersPage } from "./pages/providers.ts";
import { requestsPage } from "./pages/requests.ts";
import { applyTheme, themeButton } from "./theme.ts";

/** A page draws itself into `main` and returns what stops its timers and feeds. */
export type Page = (main: HTMLElement, param: string | undefined) => () => void;

const PAGES: { path: string; title: string; page: Page }[] = [
  { path: "overview", title: "Overview", page: overviewPage },
  { path: "requests", title: "Requests", page: requestsPage },
  { path: "keys", title: "Keys and teams", page: keysPage },
  { path: "providers", title: "Providers and routes", page: providersPage },
];

const root = document.getElementById("app")!;
let admin: string | null = null;
let stop: () => void = () => {};

function current(): { path: string; param: string | undefined } {
  const [path, ...rest] = location.hash.replace(/^#\/?/, "").split("?")[0].split("/");
  return { path: path || "overview", param: rest.length > 0 ? decodeURIComponent(rest.join("/")) : undefined };
}

function render(): void {
  stop();
  stop = () => {};
  if (admin === null) {
    const main = h("main", { id: "main", tabindex: "-1" });
    replace(root, main);
    stop = loginPage(main, (who, token) => {
      admin = who;
      setSession(token);
      render();
    });
    return;
  }
  const { path, param } = current();
  const chosen = PAGES.find((p) => p.path === path) ?? PAGES[0];
  const main = h("main", { id: "main", tabindex: "-1" });
  const nav = h(
    "nav",
    { "aria-label": "Dashboard pages" },
    h("ul", null, PAGES.map((p) => h("li", null, h("a", { href: `#/${p.path}`, "aria-current": p === chosen ? "page" : undefined }, p.title)))),
  );
  const logout = h("button", { type: "button", class: "secondary", onclick: () => void call("logout", { method: "POST" }).finally(() => ((admin = null), render())) }, "Log out");
  const header = h(
    "header",
    { class: "top" },
    h("a", { class: "brand", href: "#/overview" }, "Switchyard"),
    nav,
    h("div", { class: "who" }, h("span", { class: "muted" }, admin), themeButton(), logout),
  );
  replace(root, header, main);
  document.title = `${chosen.title} · Switchyard`;
  stop = chosen.page(main, param);
}

whenLoggedOut(() => {
  if (admin === null) return;
  admin = null;
  render();
});

window.addEventListener("hashchange", () => {
  render();
  document.getElementById("main")?.focus();
});

applyTheme();
// A session from before a reload of the page: the cookie is sent, the CSRF token comes back.
call<{ admin: string; csrfToken: string }>("session")
  .then((session) => {
    admin = session.admin;
    setSession(session.csrfToken);
  })
  .catch(() => {})
  .finally(render);
