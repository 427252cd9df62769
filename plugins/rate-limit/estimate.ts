import type { RequestContext } from "../../core/context.ts";

/**
 * Tokens a request will likely use, before it is sent: the client dialect's estimate of its input
 * (about four characters a token) plus the output it reserves (`max_tokens`, times `n`). It is
 * corrected from the real usage once the response is complete, so it only has to be cheap and
 * roughly right, and it reads the same on every surface.
 */
export function estimateRequestTokens(ctx: RequestContext): number {
  return ctx.estimatedInputTokens + (ctx.maxOutputTokens ?? 0);
}
