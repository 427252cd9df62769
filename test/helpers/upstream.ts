import type { RequestContext } from "../../core/context.ts";
import { definePlugin, type Plugin } from "../../core/plugin.ts";
import { listen } from "../../runtimes/node.ts";
import { mockUpstream, type MockUpstream, type MockUpstreamOptions } from "../../testing/index.ts";

export interface RunningUpstream {
  readonly upstream: MockUpstream;
  /** Base URL for `openai({ baseURL })`. */
  readonly baseURL: string;
  close(): Promise<void>;
}

/** The OpenAI-format mock upstream on a free port (it reports usage like OpenAI does). */
export async function startUpstream(options: MockUpstreamOptions = {}): Promise<RunningUpstream> {
  const upstream = mockUpstream(options);
  const server = await listen(upstream.fetch, { port: 0 });
  return { upstream, baseURL: `${server.url}/v1`, close: () => server.close(500) };
}

/** A plugin that keeps every completed request's context, to look at what the others set. */
export function captureCompleted(): Plugin & { readonly completed: RequestContext[] } {
  const completed: RequestContext[] = [];
  return Object.assign(
    definePlugin({
      name: "capture",
      enforce: "post",
      onComplete(ctx: RequestContext) {
        completed.push(ctx);
      },
    }),
    { completed },
  );
}

export const chat = (content: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  messages: [{ role: "user", content }],
  ...extra,
});
