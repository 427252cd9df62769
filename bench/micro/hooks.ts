/**
 * What plugins cost the hook runner per request:
 * 1. the hook runner alone, walking every hook kind of N sync no-op plugins for one request
 *    (N = 0 walks what the pipeline walks without plugins: nothing but null checks);
 * 2. a whole in-process chat request (mock provider) with no plugins and with six.
 */
import { surfaceInfo } from "../../core/surfaces.ts";
import { bench, do_not_optimize, group, summary } from "mitata";
import { RequestContext } from "../../core/context.ts";
import type { GatewayError } from "../../core/errors.ts";
import { createGateway, type Gateway } from "../../core/gateway.ts";
import { runFirst, runParallel, runSequential, runTransform } from "../../core/hook-runner.ts";
import { buildPluginChain } from "../../core/plugin-chain.ts";
import { definePlugin, type Plugin } from "../../core/plugin.ts";
import type { Attempt } from "../../core/types.ts";
import { VERSION } from "../../core/version.ts";
import { mock } from "../../providers/mock.ts";

export function noopPlugins(count: number): Plugin[] {
  return Array.from({ length: count }, (_, i) =>
    definePlugin({
      name: `noop-${i}`,
      onRequest() {},
      route() {},
      onAttempt() {},
      onAttemptError() {},
      onResponse() {},
      onComplete() {},
    }),
  );
}

const body = { model: "mock/mock", messages: [{ role: "user", content: "hi" }] };
const bodyText = JSON.stringify(body);
const request = new Request("http://gateway.local/v1/chat/completions", { method: "POST", body: bodyText });
const response = new Response("{}");
const attempt = { index: 0, target: { provider: "mock", model: "mock" }, headers: {} } as unknown as Attempt;
const report = (_: GatewayError): void => {};

/** The hook runner over N plugins, against creating the context alone. */
export function hookRunnerBenches(counts: readonly number[] = [0, 1, 6, 12]): void {
  summary(() => {
    group("hook runner: every hook kind, one request", () => {
      bench("context only (baseline)", () => do_not_optimize(new RequestContext(request, surfaceInfo("chat"), body, "mock/mock", false, 0, bodyText)));
      for (const count of counts) {
        const chain = buildPluginChain(noopPlugins(count), VERSION);
        bench(`${count} no-op plugins (sync)`, () => {
          const ctx = new RequestContext(request, surfaceInfo("chat"), body, "mock/mock", false, 0, bodyText);
          // As the pipeline does: an empty phase is null and costs one check.
          if (chain.onRequest !== null) runFirst(chain.onRequest, ctx);
          if (chain.route !== null) runFirst(chain.route, ctx);
          if (chain.onAttempt !== null) runSequential(chain.onAttempt, ctx, attempt);
          if (chain.onResponse !== null) runTransform(chain.onResponse, ctx, response);
          if (chain.onComplete !== null) do_not_optimize(runParallel(chain.onComplete, ctx, report));
          return ctx;
        });
      }
    });
  });
}

/** Whole in-process requests with no plugins and with six; returns the gateways to close. */
export async function inProcessBenches(): Promise<Gateway[]> {
  const bare = await createGateway({ providers: { mock: mock() } });
  const six = await createGateway({ providers: { mock: mock() }, plugins: noopPlugins(6) });
  const init = { method: "POST", headers: { "content-type": "application/json" }, body: bodyText };
  summary(() => {
    group("in-process chat request (mock provider, JSON)", () => {
      bench("no plugins (baseline)", async () => {
        const res = await bare.fetch(new Request("http://gateway.local/v1/chat/completions", init));
        await res.text();
      });
      bench("6 no-op plugins", async () => {
        const res = await six.fetch(new Request("http://gateway.local/v1/chat/completions", init));
        await res.text();
      });
    });
  });
  return [bare, six];
}
