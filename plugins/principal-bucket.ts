import type { RequestContext } from "../core/context.ts";

/** Whose share a limit or budget counts against. */
export type LimitScope = "key" | "team" | "model" | "global";

/**
 * The bucket id for a request under `scope`, or null when the scope does not apply to it (a
 * per-team limit for a key without a team). Requests without a principal (no auth plugin)
 * share one `anonymous` key bucket rather than going unlimited.
 */
export function bucketOf(scope: LimitScope, ctx: RequestContext): string | null {
  switch (scope) {
    case "key":
      return ctx.principal?.id ?? "anonymous";
    case "team":
      return ctx.principal?.team ?? null;
    case "model":
      return ctx.model;
    case "global":
      return "*";
  }
}

/** How a scope reads in an error message: key 'ci-bot', team 'search', model 'fast', this gateway. */
export function describeBucket(scope: LimitScope, bucket: string): string {
  return scope === "global" ? "this gateway" : `${scope} '${bucket}'`;
}
