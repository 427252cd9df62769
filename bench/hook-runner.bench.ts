/**
 * What six no-op plugins cost per request:
 * 1. the hook runner alone, walking every hook kind of six sync no-op plugins for one request;
 * 2. a whole in-process chat request (mock provider) with no plugins and with the six.
 * Run: npm run bench:hooks
 */
import { bench, do_not_optimize, group, run, summary } from "mitata";
import { RequestContext } from "../core/context.ts";
import { runEach, runIsolated, runTransform, runUntilAnswer } from "../core/hook-runner.ts";
import { buildPluginChain } from "../core/plugin-chain.ts";
import { definePlugin, type Plugin } from "../core/plugin.ts";
import { VERSION } from "../core/version.ts";
import { createGateway } from "../core/gateway.ts";
import { mock } from "../providers/mock.ts";
import type { Attempt } from "../core/types.ts";
import type { GatewayError } from "../core/errors.ts";

function noopPlugins(count: number): Plugin[] {
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

const chain = buildPluginChain(noopPlugins(6), VERSION);
const body = { model: "mock/mock", messages: [{ role: "user", content: "hi" }] };
const bodyText = JSON.stringify(body);
const request = new Request("http://gateway.local/v1/chat/completions", { method: "POST", body: bodyText });
const response = new Response("{}");
const attempt = { index: 0, target: { provider: "mock", model: "mock" }, headers: {} } as unknown as Attempt;
const report = (_: GatewayError): void => {};

const bare = await createGateway({ providers: { mock: mock() } });
const six = await createGateway({ providers: { mock: mock() }, plugins: noopPlugins(6) });
const init = { method: "POST", headers: { "content-type": "application/json" }, body: bodyText };

group("hook runner: every hook kind, one request", () => {
  bench("6 no-op plugins (sync)", () => {
    const ctx = new RequestContext(request, "chat", body, "mock/mock", false, 0, bodyText);
    runUntilAnswer(chain.onRequest!, ctx);
    runUntilAnswer(chain.route!, ctx);
    runEach(chain.onAttempt!, ctx, attempt);
    runTransform(chain.onResponse!, ctx, response);
    do_not_optimize(runIsolated(chain.onComplete!, ctx, report));
    return ctx;
  });
  bench("context only (baseline)", () => do_not_optimize(new RequestContext(request, "chat", body, "mock/mock", false, 0, bodyText)));
});

summary(() => {
  group("in-process chat request (mock provider, JSON)", () => {
    bench("no plugins", async () => {
      const res = await bare.fetch(new Request("http://gateway.local/v1/chat/completions", init));
      await res.text();
    });
    bench("6 no-op plugins", async () => {
      const res = await six.fetch(new Request("http://gateway.local/v1/chat/completions", init));
      await res.text();
    });
  });
});

await run();
await bare.close({ timeoutMs: 1000 });
await six.close({ timeoutMs: 1000 });
