/** Built-in plugins. */
export { auth, type AuthKey, type AuthOptions } from "./auth/index.ts";
export { route, type RouteOptions, type RouteTarget } from "./route/index.ts";
