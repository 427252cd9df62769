import { surfaceInfo } from "../../core/surfaces.ts";
import { describe, expect, it, vi } from "vitest";
import { RequestContext } from "../../core/context.ts";
import { GatewayError } from "../../core/errors.ts";
import { attributeError, type CompiledHook, runSequential, runParallel, runTransform, runFirst } from "../../core/hook-runner.ts";
import type { HookName } from "../../core/plugin.ts";
import type { Surface } from "../../core/types.ts";

type AnyFn = (...args: any[]) => any;

function makeCtx(model = "gpt-4o", surface: Surface = "chat"): RequestContext {
  const request = new Request("http://gateway.test/v1/chat/completions", { method: "POST" });
  return new RequestContext(request, surfaceInfo(surface), { model }, model, false, 0, JSON.stringify({ model }));
}

function hook(
  plugin: string,
  fn: AnyFn,
  options: { hook?: HookName; filter?: ((ctx: RequestContext) => boolean) | null } = {},
): CompiledHook<AnyFn> {
  return { fn, plugin, hook: options.hook ?? "onRequest", filter: options.filter ?? null };
}

function isThenable(value: unknown): boolean {
  return value !== null && typeof value === "object" && typeof (value as { then?: unknown }).then === "function";
}

/** Catch what a sync-or-async call throws or rejects with. */
async function failureOf(run: () => unknown): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to fail");
}

describe("attributeError", () => {
  const owner = hook("auth", () => undefined, { hook: "onRequest" });

  it("fills plugin and hook on a GatewayError and keeps it (status, code, identity)", () => {
    const original = new GatewayError({ status: 429, message: "slow down", code: "rate_limited" });
    const result = attributeError(original, owner);
    expect(result).toBe(original);
    expect(result.status).toBe(429);
    expect(result.code).toBe("rate_limited");
    expect(result.type).toBe("rate_limit_error");
    expect(result.plugin).toBe("auth");
    expect(result.hook).toBe("onRequest");
  });

  it("does not overwrite an attribution made closer to the source", () => {
    const original = new GatewayError({ status: 403, message: "no" });
    original.plugin = "inner";
    original.hook = "route";
    const result = attributeError(original, owner);
    expect(result.plugin).toBe("inner");
    expect(result.hook).toBe("route");
  });

  it("wraps a plain Error into a 500 naming plugin and hook, keeping the cause", () => {
    const boom = new TypeError("x is not a function");
    const result = attributeError(boom, hook("quota", () => undefined, { hook: "onAttempt" }));
    expect(result).toBeInstanceOf(GatewayError);
    expect(result.status).toBe(500);
    expect(result.code).toBe("internal_error");
    expect(result.type).toBe("api_error");
    expect(result.fault).toBe("gateway");
    expect(result.message).toBe('Plugin "quota" failed in onAttempt: x is not a function');
    expect(result.plugin).toBe("quota");
    expect(result.hook).toBe("onAttempt");
    expect(result.cause).toBe(boom);
  });

  it("wraps a thrown non-Error value using its string form", () => {
    const result = attributeError("kaput", hook("logger", () => undefined, { hook: "onComplete" }));
    expect(result.status).toBe(500);
    expect(result.message).toBe('Plugin "logger" failed in onComplete: kaput');
    expect(result.cause).toBe("kaput");
  });
});

describe("runFirst", () => {
  it("returns undefined synchronously for an empty hook list", () => {
    expect(runFirst([], makeCtx())).toBeUndefined();
  });

  it("stays synchronous when every hook is sync and returns the first answer", () => {
    const calls: string[] = [];
    const response = new Response("early");
    const hooks = [
      hook("a", () => {
        calls.push("a");
        return undefined;
      }),
      hook("b", () => {
        calls.push("b");
        return response;
      }),
      hook("c", () => {
        calls.push("c");
        return new Response("late");
      }),
    ];
    const result = runFirst<Response>(hooks, makeCtx());
    expect(isThenable(result)).toBe(false);
    expect(result).toBe(response);
    expect(calls).toEqual(["a", "b"]);
  });

  it("returns undefined synchronously when no sync hook answers", () => {
    const hooks = [hook("a", () => undefined), hook("b", () => null), hook("c", () => [])];
    const result = runFirst(hooks, makeCtx());
    expect(isThenable(result)).toBe(false);
    expect(result).toBeUndefined();
  });

  it("treats an empty array as no answer and a non-empty array as an answer", () => {
    const plan = [{ provider: "openai", model: "gpt-4o" }];
    const later = vi.fn(() => [{ provider: "other", model: "x" }]);
    const hooks = [hook("empty", () => []), hook("planner", () => plan), hook("later", later)];
    expect(runFirst(hooks, makeCtx())).toBe(plan);
    expect(later).not.toHaveBeenCalled();
  });

  it("counts falsy non-null values (false, 0, empty string) as answers", () => {
    for (const answer of [false, 0, ""]) {
      const after = vi.fn(() => "later");
      expect(runFirst([hook("a", () => answer), hook("b", after)], makeCtx())).toBe(answer);
      expect(after).not.toHaveBeenCalled();
    }
  });

  it("passes the context and both extra arguments to each hook", () => {
    const ctx = makeCtx();
    const attempt = { index: 0 };
    const error = new GatewayError({ status: 502, message: "bad gateway" });
    const fn = vi.fn(() => undefined);
    runFirst([hook("a", fn, { hook: "onAttemptError" })], ctx, attempt, error);
    expect(fn).toHaveBeenCalledWith(ctx, attempt, error);
  });

  it("switches to a promise when a hook returns one mid-chain and continues after it", async () => {
    const calls: string[] = [];
    const answer = { action: "next" };
    const hooks = [
      hook("sync", () => {
        calls.push("sync");
      }),
      hook("async-pass", async () => {
        calls.push("async-pass");
        return undefined;
      }),
      hook("after", () => {
        calls.push("after");
        return answer;
      }),
      hook("never", () => {
        calls.push("never");
        return { action: "fail" };
      }),
    ];
    const result = runFirst(hooks, makeCtx());
    expect(result).toBeInstanceOf(Promise);
    // Hooks after the async one must not have run before it settles.
    expect(calls).toEqual(["sync", "async-pass"]);
    await expect(result).resolves.toBe(answer);
    expect(calls).toEqual(["sync", "async-pass", "after"]);
  });

  it("resolves with an async hook's answer and skips the rest", async () => {
    const rest = vi.fn(() => "rest");
    const result = runFirst([hook("a", async () => "answer"), hook("b", rest)], makeCtx());
    expect(result).toBeInstanceOf(Promise);
    await expect(result).resolves.toBe("answer");
    expect(rest).not.toHaveBeenCalled();
  });

  it("treats an async empty array as no answer too", async () => {
    const result = runFirst([hook("a", async () => []), hook("b", async () => null), hook("c", () => ["x"])], makeCtx());
    await expect(result).resolves.toEqual(["x"]);
  });

  it("resolves undefined when the async chain ends without an answer", async () => {
    const result = runFirst([hook("a", async () => undefined), hook("b", () => undefined)], makeCtx());
    expect(result).toBeInstanceOf(Promise);
    await expect(result).resolves.toBeUndefined();
  });

  it("accepts a non-Promise thenable as async", async () => {
    const thenable = { then: (resolve: (value: string) => void) => resolve("from-thenable") };
    const result = runFirst([hook("a", () => thenable)], makeCtx());
    expect(result).toBeInstanceOf(Promise);
    await expect(result).resolves.toBe("from-thenable");
  });

  it("skips hooks whose filter rejects the context", () => {
    const skipped = vi.fn(() => "skipped");
    const filter = vi.fn((ctx: RequestContext) => ctx.model.startsWith("claude"));
    const result = runFirst([hook("a", skipped, { filter }), hook("b", () => "b")], makeCtx("gpt-4o"));
    expect(result).toBe("b");
    expect(filter).toHaveBeenCalledTimes(1);
    expect(skipped).not.toHaveBeenCalled();
  });

  it("runs hooks whose filter accepts the context", () => {
    const result = runFirst([hook("a", () => "a", { filter: (ctx) => ctx.model === "gpt-4o" })], makeCtx("gpt-4o"));
    expect(result).toBe("a");
  });

  it("applies filters after switching to async as well", async () => {
    const skipped = vi.fn(() => "skipped");
    const hooks = [hook("a", async () => undefined), hook("b", skipped, { filter: () => false }), hook("c", () => "c")];
    await expect(runFirst(hooks, makeCtx())).resolves.toBe("c");
    expect(skipped).not.toHaveBeenCalled();
  });

  it("throws synchronously (not a rejected promise) with attribution when a sync hook throws", () => {
    const later = vi.fn();
    const hooks = [hook("ok", () => undefined), hook("broken", () => {
      throw new Error("boom");
    }), hook("later", later)];
    let thrown: unknown;
    try {
      runFirst(hooks, makeCtx());
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(GatewayError);
    const error = thrown as GatewayError;
    expect(error.status).toBe(500);
    expect(error.message).toBe('Plugin "broken" failed in onRequest: boom');
    expect(error.plugin).toBe("broken");
    expect(error.hook).toBe("onRequest");
    expect(later).not.toHaveBeenCalled();
  });

  it("keeps a GatewayError's status when a hook throws one", () => {
    const refusal = new GatewayError({ status: 401, message: "Invalid API key", code: "invalid_api_key" });
    let thrown: unknown;
    try {
      runFirst([hook("auth", () => {
        throw refusal;
      })], makeCtx());
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBe(refusal);
    expect(refusal.status).toBe(401);
    expect(refusal.type).toBe("authentication_error");
    expect(refusal.plugin).toBe("auth");
    expect(refusal.hook).toBe("onRequest");
  });

  it("rejects with attribution when an async hook rejects", async () => {
    const result = runFirst([hook("slow", async () => {
      throw new Error("db down");
    }, { hook: "route" })], makeCtx());
    const error = (await failureOf(() => result)) as GatewayError;
    expect(error).toBeInstanceOf(GatewayError);
    expect(error.status).toBe(500);
    expect(error.message).toBe('Plugin "slow" failed in route: db down');
    expect(error.plugin).toBe("slow");
    expect(error.hook).toBe("route");
  });

  it("attributes a sync throw after the async switch to the hook that threw, not the async one", async () => {
    const hooks = [
      hook("first-async", async () => undefined),
      hook("second-sync", () => {
        throw new Error("second broke");
      }),
    ];
    const error = (await failureOf(() => runFirst(hooks, makeCtx()))) as GatewayError;
    expect(error.plugin).toBe("second-sync");
    expect(error.message).toBe('Plugin "second-sync" failed in onRequest: second broke');
  });

  it("starts from the given index", () => {
    const first = vi.fn(() => "first");
    expect(runFirst([hook("a", first), hook("b", () => "second")], makeCtx(), undefined, undefined, 1)).toBe("second");
    expect(first).not.toHaveBeenCalled();
  });
});

describe("runSequential", () => {
  it("runs every sync hook in order and returns undefined synchronously", () => {
    const calls: string[] = [];
    const attempt = { index: 3 };
    const ctx = makeCtx();
    const hooks = ["a", "b", "c"].map((name) =>
      hook(name, (c: RequestContext, a: unknown) => {
        expect(c).toBe(ctx);
        expect(a).toBe(attempt);
        calls.push(name);
        return "ignored";
      }, { hook: "onAttempt" }),
    );
    const result = runSequential(hooks, ctx, attempt);
    expect(result).toBeUndefined();
    expect(calls).toEqual(["a", "b", "c"]);
  });

  it('stops at "skip" and returns it, sync or async', async () => {
    const after = vi.fn();
    expect(runSequential([hook("a", () => "skip"), hook("b", after)], makeCtx())).toBe("skip");
    expect(await runSequential([hook("a", async () => undefined), hook("b", async () => "skip"), hook("c", after)], makeCtx())).toBe("skip");
    expect(after).not.toHaveBeenCalled();
    expect(await runSequential([hook("a", async () => undefined), hook("b", () => undefined)], makeCtx())).toBeUndefined();
  });

  it("does not stop at a returned value (no first-answer semantics)", () => {
    const last = vi.fn();
    runSequential([hook("a", () => new Response("x")), hook("b", last)], makeCtx());
    expect(last).toHaveBeenCalledTimes(1);
  });

  it("switches to a promise mid-chain and runs the rest strictly after it settles", async () => {
    const calls: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const hooks = [
      hook("a", () => {
        calls.push("a");
      }),
      hook("b", async () => {
        calls.push("b:start");
        await gate;
        calls.push("b:end");
      }),
      hook("c", () => {
        calls.push("c");
      }),
    ];
    const result = runSequential(hooks, makeCtx());
    expect(result).toBeInstanceOf(Promise);
    await Promise.resolve();
    expect(calls).toEqual(["a", "b:start"]);
    release();
    await result;
    expect(calls).toEqual(["a", "b:start", "b:end", "c"]);
  });

  it("skips filtered hooks", () => {
    const skipped = vi.fn();
    const ran = vi.fn();
    runSequential([hook("a", skipped, { filter: () => false }), hook("b", ran, { filter: () => true })], makeCtx());
    expect(skipped).not.toHaveBeenCalled();
    expect(ran).toHaveBeenCalledTimes(1);
  });

  it("throws synchronously with attribution and stops the chain", () => {
    const later = vi.fn();
    let thrown: unknown;
    try {
      runSequential([hook("headers", () => {
        throw new Error("nope");
      }, { hook: "onAttempt" }), hook("later", later)], makeCtx());
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(GatewayError);
    expect((thrown as GatewayError).message).toBe('Plugin "headers" failed in onAttempt: nope');
    expect(later).not.toHaveBeenCalled();
  });

  it("rejects with attribution when an async hook rejects, skipping the rest", async () => {
    const later = vi.fn();
    const original = new GatewayError({ status: 503, message: "busy", retryable: true });
    const result = runSequential([hook("signer", async () => {
      throw original;
    }, { hook: "onAttempt" }), hook("later", later)], makeCtx());
    const error = (await failureOf(() => result)) as GatewayError;
    expect(error).toBe(original);
    expect(error.status).toBe(503);
    expect(error.plugin).toBe("signer");
    expect(error.hook).toBe("onAttempt");
    expect(later).not.toHaveBeenCalled();
  });
});

describe("runTransform", () => {
  it("threads the value through sync hooks and returns it synchronously", () => {
    const hooks = [
      hook("double", (_ctx: RequestContext, n: number) => n * 2, { hook: "filterModels" }),
      hook("inc", (_ctx: RequestContext, n: number) => n + 1, { hook: "filterModels" }),
    ];
    const result = runTransform(hooks, makeCtx(), 5);
    expect(isThenable(result)).toBe(false);
    expect(result).toBe(11);
  });

  it("keeps the current value when a hook returns undefined or null", () => {
    const original = new Response("orig");
    const seen: unknown[] = [];
    const hooks = [
      hook("observe", (_ctx: RequestContext, r: Response) => {
        seen.push(r);
      }),
      hook("null", (_ctx: RequestContext, r: Response) => {
        seen.push(r);
        return null;
      }),
      hook("last", (_ctx: RequestContext, r: Response) => {
        seen.push(r);
        return undefined;
      }),
    ];
    expect(runTransform(hooks, makeCtx(), original)).toBe(original);
    expect(seen).toEqual([original, original, original]);
  });

  it("replaces the value with whatever a hook returns, and the next hook sees the replacement", () => {
    const first = new Response("first");
    const replacement = new Response("second");
    const seen: Response[] = [];
    const hooks = [
      hook("swap", () => replacement, { hook: "onResponse" }),
      hook("observe", (_ctx: RequestContext, r: Response) => {
        seen.push(r);
      }, { hook: "onResponse" }),
    ];
    expect(runTransform(hooks, makeCtx(), first)).toBe(replacement);
    expect(seen).toEqual([replacement]);
  });

  it("switches to async mid-chain and keeps threading the value", async () => {
    const hooks = [
      hook("a", (_ctx: RequestContext, list: string[]) => [...list, "a"]),
      hook("b", async (_ctx: RequestContext, list: string[]) => [...list, "b"]),
      hook("c", (_ctx: RequestContext, list: string[]) => [...list, "c"]),
    ];
    const result = runTransform(hooks, makeCtx(), [] as string[]);
    expect(result).toBeInstanceOf(Promise);
    await expect(result).resolves.toEqual(["a", "b", "c"]);
  });

  it("keeps the value when an async hook resolves to undefined or null", async () => {
    const value = { id: "v" };
    const hooks = [hook("a", async () => undefined), hook("b", async () => null)];
    await expect(runTransform(hooks, makeCtx(), value)).resolves.toBe(value);
  });

  it("keeps an empty array returned by a hook (it is a value, not 'no answer')", () => {
    const result = runTransform([hook("hideAll", () => [], { hook: "filterModels" })], makeCtx(), [{ id: "m", owned_by: "x" }]);
    expect(result).toEqual([]);
  });

  it("skips filtered hooks", () => {
    const result = runTransform(
      [hook("skip", () => "skipped", { filter: () => false }), hook("keep", (_c: RequestContext, v: string) => `${v}!`)],
      makeCtx(),
      "v",
    );
    expect(result).toBe("v!");
  });

  it("throws synchronously with attribution for a sync failure", () => {
    let thrown: unknown;
    try {
      runTransform([hook("rewriter", () => {
        throw new RangeError("bad");
      }, { hook: "onResponse" })], makeCtx(), 1);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(GatewayError);
    expect((thrown as GatewayError).message).toBe('Plugin "rewriter" failed in onResponse: bad');
    expect((thrown as GatewayError).hook).toBe("onResponse");
  });

  it("rejects with attribution for an async failure", async () => {
    const error = (await failureOf(() =>
      runTransform([hook("ok", async (_c: RequestContext, v: number) => v + 1), hook("models", async () => {
        throw new Error("lookup failed");
      }, { hook: "filterModels" })], makeCtx(), 1),
    )) as GatewayError;
    expect(error.status).toBe(500);
    expect(error.plugin).toBe("models");
    expect(error.message).toBe('Plugin "models" failed in filterModels: lookup failed');
  });
});

describe("runParallel", () => {
  it("runs every hook and reports nothing when all succeed", async () => {
    const calls: string[] = [];
    const report = vi.fn();
    const result = runParallel(
      [hook("a", () => {
        calls.push("a");
      }, { hook: "onComplete" }), hook("b", async () => {
        calls.push("b");
      }, { hook: "onComplete" })],
      makeCtx(),
      report,
    );
    expect(result).toBeInstanceOf(Promise);
    await result;
    expect(calls).toEqual(["a", "b"]);
    expect(report).not.toHaveBeenCalled();
  });

  it("continues after failing hooks (sync throw and async rejection) and reports each with attribution", async () => {
    const calls: string[] = [];
    const reported: GatewayError[] = [];
    const gatewayFailure = new GatewayError({ status: 503, message: "sink unavailable" });
    await runParallel(
      [
        hook("sync-broken", () => {
          calls.push("sync-broken");
          throw new Error("sync fail");
        }, { hook: "onComplete" }),
        hook("fine", () => {
          calls.push("fine");
        }, { hook: "onComplete" }),
        hook("async-broken", async () => {
          calls.push("async-broken");
          throw gatewayFailure;
        }, { hook: "onComplete" }),
        hook("last", async () => {
          calls.push("last");
        }, { hook: "onComplete" }),
      ],
      makeCtx(),
      (error) => reported.push(error),
    );
    expect(calls).toEqual(["sync-broken", "fine", "async-broken", "last"]);
    expect(reported).toHaveLength(2);
    expect(reported[0]).toBeInstanceOf(GatewayError);
    expect(reported[0].status).toBe(500);
    expect(reported[0].message).toBe('Plugin "sync-broken" failed in onComplete: sync fail');
    expect(reported[0].plugin).toBe("sync-broken");
    expect(reported[0].hook).toBe("onComplete");
    expect(reported[1]).toBe(gatewayFailure);
    expect(reported[1].status).toBe(503);
    expect(reported[1].plugin).toBe("async-broken");
  });

  it("calls every hook in order without waiting for the slow ones, and settles when all have", async () => {
    const calls: string[] = [];
    let costUsd: number | undefined;
    const done = runParallel(
      [
        hook("cost", () => {
          costUsd = 0.25;
          calls.push("cost");
        }),
        hook("slow", async () => {
          await new Promise((resolve) => setTimeout(resolve, 5));
          calls.push("slow done");
        }),
        // Sees what the synchronous hook before it did.
        hook("budget", () => {
          calls.push(`budget ${costUsd}`);
        }),
      ],
      makeCtx(),
      () => {},
    );
    expect(calls).toEqual(["cost", "budget 0.25"]);
    await done;
    expect(calls).toEqual(["cost", "budget 0.25", "slow done"]);
  });

  it("skips filtered hooks and isolates a throwing filter", async () => {
    const skipped = vi.fn();
    const after = vi.fn();
    const reported: GatewayError[] = [];
    await runParallel(
      [
        hook("filtered", skipped, { filter: () => false }),
        hook("bad-filter", vi.fn(), { hook: "onComplete", filter: () => {
          throw new Error("filter exploded");
        } }),
        hook("after", after),
      ],
      makeCtx(),
      (error) => reported.push(error),
    );
    expect(skipped).not.toHaveBeenCalled();
    expect(after).toHaveBeenCalledTimes(1);
    expect(reported.map((e) => e.plugin)).toEqual(["bad-filter"]);
    expect(reported[0].message).toContain("filter exploded");
  });

  it("never rejects, even when every hook fails", async () => {
    const report = vi.fn();
    const hooks = [1, 2, 3].map((n) => hook(`p${n}`, async () => {
      throw new Error(`fail ${n}`);
    }));
    await expect(runParallel(hooks, makeCtx(), report)).resolves.toBeUndefined();
    expect(report).toHaveBeenCalledTimes(3);
    expect(report.mock.calls.map(([e]) => (e as GatewayError).plugin)).toEqual(["p1", "p2", "p3"]);
  });
});
