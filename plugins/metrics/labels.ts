import type { RequestContext } from "../../core/context.ts";
import type { ModelEntry, Target } from "../../core/types.ts";

/** The route label of requests refused before routing for a model the gateway does not serve. */
export const UNROUTED = "_unrouted";
/** The model (and route) label of a `provider/model` a caller named that the config does not list. */
export const OTHER_MODEL = "_other";
/** Strings are cut to this length before they become labels. */
const MAX_LABEL_LENGTH = 128;

const clip = (value: string): string => (value.length <= MAX_LABEL_LENGTH ? value : value.slice(0, MAX_LABEL_LENGTH));

/**
 * Label values only from what the config names, so a caller cannot grow the scrape: requested
 * models the gateway serves (aliases, listed `provider/model` ids) keep their name, and so do the
 * targets routing chose (they come from the config). A `provider/model` the caller made up, which
 * the gateway passes to a configured provider as it is, counts under `_other` (its provider is a
 * configured name, so it stays).
 */
export class ModelLabels {
  private served: Set<string> | null = null;

  constructor(private readonly catalog: () => readonly ModelEntry[]) {}

  private serves(id: string): boolean {
    // The catalog is complete once every plugin's setup ran; read on the first request.
    this.served ??= new Set(this.catalog().map((m) => m.id));
    return this.served.has(id);
  }

  /** The requested model, as a label. */
  route(ctx: RequestContext): string {
    const model = ctx.model;
    if (this.serves(model)) return clip(model);
    return ctx.targets === null ? UNROUTED : OTHER_MODEL;
  }

  /** A target's model, as a label. */
  model(ctx: RequestContext, target: Target): string {
    if (this.serves(`${target.provider}/${target.model}`) || !this.isDirect(ctx, target)) return clip(target.model);
    return OTHER_MODEL;
  }

  /** The caller addressed this target itself (`provider/model`), with no route in between. */
  private isDirect(ctx: RequestContext, target: Target): boolean {
    const model = ctx.model;
    return model.length === target.provider.length + 1 + target.model.length && model.startsWith(target.provider) && model.endsWith(target.model) && model[target.provider.length] === "/";
  }
}
