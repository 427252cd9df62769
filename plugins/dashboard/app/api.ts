/** Calls to the dashboard's own API: the session cookie goes by itself, changes carry the CSRF token. */
export const BASE = document.querySelector<HTMLMetaElement>('meta[name="switchyard-base"]')?.content ?? "/ui";

let csrfToken = "";
let onLoggedOut: () => void = () => {};

export function setSession(token: string): void {
  csrfToken = token;
}

export function whenLoggedOut(handler: () => void): void {
  onLoggedOut = handler;
}

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

export async function call<T = any>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const method = init.method ?? "GET";
  const headers: Record<string, string> = { accept: "application/json" };
  if (init.body !== undefined) headers["content-type"] = "application/json";
  if (method !== "GET") headers["x-csrf-token"] = csrfToken;
  const response = await fetch(`${BASE}/api/${path}`, { method, headers, body: init.body === undefined ? undefined : JSON.stringify(init.body), credentials: "same-origin" });
  const text = await response.text();
  let parsed: any = null;
  try {
    parsed = text === "" ? null : JSON.parse(text);
  } catch {
    parsed = null;
  }
  if (!response.ok) {
    const error = parsed?.error ?? {};
    if (response.status === 401 && path !== "login") onLoggedOut();
    throw new ApiError(response.status, error.code ?? "error", error.message ?? `The gateway answered ${response.status}.`);
  }
  return parsed as T;
}
