import type { RequestContext } from "../../core/context.ts";
import { GatewayError } from "../../core/errors.ts";

export interface RegionOptions {
  /**
   * The request header a caller may name a region with, within what its key allows
   * (`principal.regions`, or only `principal.region`). `false` turns the header off.
   * Default `x-switchyard-region`.
   */
  header?: string | false;
  /**
   * What happens when a region is asked for: `"none"` (default) sends the request only to
   * targets in that region, for data residency; `"any"` prefers them and falls back to the rest.
   */
  fallback?: "none" | "any";
}

export const DEFAULT_REGION_HEADER = "x-switchyard-region";

/**
 * The region this request must (or should) go to: the header when the key allows it, else the
 * key's own region, else none. A header naming a region the key may not use is refused (403).
 */
export function regionResolver(options: RegionOptions | undefined): (ctx: RequestContext) => string | null {
  const header = options?.header === false ? null : (options?.header ?? DEFAULT_REGION_HEADER).toLowerCase();
  return (ctx) => {
    const principal = ctx.principal;
    const asked = header === null ? null : ctx.request.headers.get(header);
    if (asked !== null && asked.length > 0) {
      const allowed = principal?.regions ?? (principal?.region !== undefined ? [principal.region] : null);
      if (allowed !== null && !allowed.includes(asked)) {
        throw new GatewayError({
          status: 403,
          message: `This API key may not route to region '${asked}'${allowed.length > 0 ? ` (allowed: ${allowed.join(", ")})` : ""}.`,
          code: "region_not_allowed",
          param: header,
          fault: "policy",
        });
      }
      return asked;
    }
    return principal?.region ?? null;
  };
}

export function regionUnavailable(model: string, region: string, fromHeader: boolean): GatewayError {
  return new GatewayError({
    status: 400,
    message: `The model '${model}' has no target in region '${region}'.`,
    code: "region_unavailable",
    fault: fromHeader ? "client" : "policy",
  });
}
