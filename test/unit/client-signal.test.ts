import { describe, expect, it } from "vitest";
import { ClientSignal, realSignal, watchOf, CLIENT_WATCH } from "../../core/abort-watch.ts";
import { AttemptGuard, sleep } from "../../core/attempt-guard.ts";

describe("ClientSignal (the light client signal of the Node adapter)", () => {
  it("runs each listener once on abort, skips removed ones, and keeps going past one that throws", () => {
    const client = new ClientSignal();
    const calls: string[] = [];
    const removed = () => calls.push("removed");
    client.addEventListener("abort", () => calls.push("first"));
    client.addEventListener("abort", removed);
    client.addEventListener("abort", () => {
      throw new Error("listener failure");
    });
    client.addEventListener("abort", () => calls.push("last"));
    client.removeEventListener("abort", removed);
    client.abort();
    client.abort();
    expect(calls).toEqual(["first", "last"]);
    expect(client.aborted).toBe(true);
    expect((client.reason as DOMException).name).toBe("AbortError");
  });

  it("makes its real AbortSignal only when asked, aborted with it before and after", () => {
    const early = new ClientSignal();
    const signal = early.signal;
    expect(signal).toBeInstanceOf(AbortSignal);
    expect(signal.aborted).toBe(false);
    early.abort("gone");
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe("gone");

    const late = new ClientSignal();
    late.abort("left");
    expect(late.signal.aborted).toBe(true);
    expect(late.signal.reason).toBe("left");
    expect(realSignal(late)).toBe(late.signal);
  });

  it("is what the core reads from an adapter's Request, and the Request's own signal otherwise", () => {
    const plain = new Request("http://localhost/");
    expect(watchOf(plain)).toBe(plain.signal);
    const client = new ClientSignal();
    const marked = Object.assign(new Request("http://localhost/"), { [CLIENT_WATCH]: client });
    expect(watchOf(marked)).toBe(client);
  });

  it("drives the attempt guard and sleep: a timed guard's signal follows it, sleep stops on it", async () => {
    const client = new ClientSignal();
    const untimed = new AttemptGuard(client, undefined);
    expect(untimed.watch).toBe(client);
    const timed = new AttemptGuard(client, { totalMs: 60_000 });
    expect(timed.watch).toBeInstanceOf(AbortSignal);
    const slept = sleep(60_000, client);
    client.abort();
    await slept;
    expect(timed.signal.aborted).toBe(true);
    expect(untimed.signal.aborted).toBe(true);
    timed.release();
    untimed.release();
  });
});
