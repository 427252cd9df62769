import { describe, expect, expectTypeOf, it } from "vitest";
import { type CircuitSnapshot, definePlugin, type LogQueueStats, pluginApis } from "../../core/index.ts";
import { budget, circuitBreaker, log, rateLimit } from "../../plugins/index.ts";
import { memorySink } from "../logging/memory-sink.ts";

describe("plugin apis", () => {
  it("finds each facet on the built-in plugins, typed, in run order", () => {
    const plugins = [
      rateLimit({ per: "key", rpm: 10 }),
      circuitBreaker(),
      budget({ per: "key", usd: 1 }),
      log({ sinks: [memorySink("a")] }),
      rateLimit({ per: "team", rpm: 10 }),
      definePlugin({ name: "plain" }),
    ];
    expect(pluginApis(plugins, "rateLimit").map((e) => e.plugin)).toEqual(["rate-limit:key", "rate-limit:team"]);
    expect(pluginApis(plugins, "rateLimit")[0].api.stats()).toMatchObject({ allowed: 0, rejected: 0 });
    expect(pluginApis(plugins, "budget")[0].api.stats()).toMatchObject({ rejected: 0, chargedUsd: 0 });
    const [breaker] = pluginApis(plugins, "circuitBreaker");
    expect(breaker.plugin).toBe("circuit-breaker");
    expect(breaker.api.state("p", "m")).toBe("closed");
    expectTypeOf(breaker.api.snapshot()).toEqualTypeOf<readonly CircuitSnapshot[]>();
    const [logs] = pluginApis(plugins, "log");
    expect(logs.api.targets).toEqual(["a"]);
    expectTypeOf(logs.api.stats()).toEqualTypeOf<LogQueueStats>();
  });

  it("finds a community plugin's facet as well as a built-in one", () => {
    const stats = { allowed: 4, rejected: 1 };
    const community = definePlugin({ name: "switchyard-plugin-quota", api: { rateLimit: { stats: () => stats } } });
    expect(pluginApis([community], "rateLimit")).toEqual([{ plugin: "switchyard-plugin-quota", api: community.api.rateLimit }]);
    expect(pluginApis([community], "log")).toEqual([]);
  });
});
