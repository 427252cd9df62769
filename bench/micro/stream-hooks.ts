/**
 * What stream hooks cost:
 * 1. per content chunk through the relay: the pass-through scanner (what runs without `onChunk`)
 *    against decoding and re-encoding in the client's dialect, with no hook, one no-op hook, and
 *    any extra hooks the caller adds (the guard's output check);
 * 2. a whole streamed in-process request with no plugins against one no-op `onChunk` plugin.
 * The no-plugin cases use only what existed before stream hooks, so the same file measures the
 * baseline tree too (`onChunk` is ignored there).
 */
import { bench, do_not_optimize, group, summary } from "mitata";
import type { StreamEvent } from "../../core/canonical.ts";
import { RequestContext } from "../../core/context.ts";
import { createGateway, type Gateway } from "../../core/gateway.ts";
import { runChunk } from "../../core/hook-runner.ts";
import { buildPluginChain } from "../../core/plugin-chain.ts";
import { definePlugin, type Plugin } from "../../core/plugin.ts";
import { TranslatingRelay } from "../../core/stream-relay.ts";
import { surfaceInfo } from "../../core/surfaces.ts";
import { VERSION } from "../../core/version.ts";
import { OpenAIStreamScanner } from "../../dialects/openai/scanner.ts";
import { OpenAIStreamDecoder, OpenAIStreamEncoder } from "../../dialects/openai/stream.ts";
import { mockChatStreamEvents } from "../../providers/mock-llm.ts";
import { mock } from "../../providers/mock.ts";

const encoder = new TextEncoder();
const body = { model: "mock/mock", stream: true, messages: [{ role: "user", content: "Where is order 1234? It left the depot yesterday." }] };
const bodyText = JSON.stringify(body);
/** A long answer's content chunks, so a relay never runs out while it is measured. */
const content = mockChatStreamEvents(body).map((e) => encoder.encode(e)).filter((e) => new TextDecoder().decode(e).includes('"content":"'))[1];

export const noopChunkPlugin = (): Plugin => definePlugin({ name: "noop-chunk", onChunk() {} });

function relayWith(plugins: Plugin[]): TranslatingRelay {
  const chain = buildPluginChain(plugins, VERSION);
  const hooks = chain.onChunk;
  const ctx = new RequestContext(new Request("http://gateway.local/v1/chat/completions", { method: "POST" }), surfaceInfo("chat"), body, body.model, true, 0, bodyText);
  const relay = new TranslatingRelay(new OpenAIStreamDecoder(), new OpenAIStreamEncoder(body), hooks === null ? null : (event: StreamEvent, out: StreamEvent[]) => runChunk(hooks, ctx, event, out));
  // Open the stream, so each measured push is a content chunk in the middle of an answer.
  relay.push(encoder.encode(mockChatStreamEvents(body)[0]));
  return relay;
}

/** Per-chunk cost of the relay; `extra` adds named plugin sets (the guard's output check). */
export function streamRelayBenches(extra: readonly { name: string; plugins: () => Plugin[] }[] = []): void {
  summary(() => {
    group(`stream relay, one ${content.byteLength}-byte content chunk`, () => {
      const scanner = new OpenAIStreamScanner(false);
      bench("pass-through scanner, no onChunk (baseline)", () => do_not_optimize(scanner.push(content)));
      const bare = relayWith([]);
      bench("decode + re-encode, no hook", () => do_not_optimize(bare.push(content)));
      const noop = relayWith([noopChunkPlugin()]);
      bench("decode + 1 no-op onChunk + re-encode", () => do_not_optimize(noop.push(content)));
      for (const { name, plugins } of extra) {
        const relay = relayWith(plugins());
        bench(name, () => do_not_optimize(relay.push(content)));
      }
    });
  });
}

/** Whole streamed requests; returns the gateways to close. */
export async function streamedRequestBenches(): Promise<Gateway[]> {
  const bare = await createGateway({ providers: { mock: mock() } });
  const hooked = await createGateway({ providers: { mock: mock() }, plugins: [noopChunkPlugin()] });
  const init = { method: "POST", headers: { "content-type": "application/json" }, body: bodyText };
  summary(() => {
    group("in-process streamed chat request (mock provider)", () => {
      bench("no plugins (baseline)", async () => do_not_optimize(await (await bare.fetch(new Request("http://gateway.local/v1/chat/completions", init))).text()));
      bench("1 no-op onChunk plugin", async () => do_not_optimize(await (await hooked.fetch(new Request("http://gateway.local/v1/chat/completions", init))).text()));
    });
  });
  return [bare, hooked];
}
