import { ApiError, call } from "../api.ts";
import { h } from "../dom.ts";

/** The login form: an admin key in, a session cookie back. */
export function loginPage(main: HTMLElement, done: (admin: string, csrfToken: string) => void): () => void {
  const input = h("input", { id: "admin-key", name: "key", type: "password", autocomplete: "current-password", required: true, spellcheck: "false" });
  const status = h("p", { class: "error", role: "alert" });
  const button = h("button", { type: "submit" }, "Log in");
  const form = h(
    "form",
    { class: "card login", "aria-labelledby": "login-title" },
    h("h1", { id: "login-title" }, "Switchyard"),
    h("p", { class: "muted" }, "Log in with an admin key. Virtual keys cannot log in."),
    h("div", { class: "field" }, h("label", { for: "admin-key" }, "Admin key"), input),
    button,
    status,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    status.textContent = "";
    button.disabled = true;
    call<{ admin: string; csrfToken: string }>("login", { method: "POST", body: { key: input.value } })
      .then((session) => done(session.admin, session.csrfToken))
      .catch((error) => {
        status.textContent = error instanceof ApiError ? error.message : "The gateway cannot be reached.";
        input.focus();
        input.select();
      })
      .finally(() => (button.disabled = false));
  });
  main.append(form);
  input.focus();
  return () => {};
}
