// A small community-style plugin: one line per request on stderr, after the response has gone.
import { definePlugin, type Plugin } from "switchyard";

declare module "switchyard" {
  interface ContextVariables {
    /** Set by request-log's onRequest, read back in onComplete. */
    requestLogLabel?: string;
  }
}

export function requestLog(options: { label?: string } = {}): Plugin {
  return definePlugin({
    name: "request-log",
    requires: { core: "^0.1.0" },
    onRequest(ctx) {
      ctx.vars.requestLogLabel = options.label ?? "switchyard";
    },
    onComplete(ctx) {
      const served = ctx.served ? `${ctx.served.provider}/${ctx.served.model}` : "-";
      const tokens = ctx.usage ? ctx.usage.totalTokens : "-";
      console.error(`${ctx.vars.requestLogLabel} ${ctx.id} ${ctx.surface} ${ctx.model} -> ${served} ${ctx.status} ${ctx.durationMs.toFixed(1)}ms tokens=${tokens}`);
    },
  });
}
