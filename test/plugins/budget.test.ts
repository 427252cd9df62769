import { describe, expect, it } from "vitest";
import { PluginChainError } from "../../core/plugin-chain.ts";
import { auth, budget, cost } from "../../plugins/index.ts";
import { memoryStore } from "../../stores/index.ts";
import { createTestGateway } from "../../testing/index.ts";
import { captureCompleted, chat } from "../helpers/upstream.ts";

const KEYS = [
  { id: "a1", key: "sk-a1-0123456789", team: "alpha" },
  { id: "a2", key: "sk-a2-0123456789", team: "alpha" },
  { id: "b1", key: "sk-b1-0123456789", team: "beta" },
];
const as = (id: string) => ({ authorization: `Bearer sk-${id}-0123456789` });
// The mock is free; price it so each request costs a known, non-trivial amount.
const priced = () => cost({ prices: { "mock/m": { input: 1000, output: 1000 } } });
const ask = { model: "mock/m", ...chat("hello") };

describe("budget", () => {
  it("adds each request's cost after it completes and refuses with insufficient_quota once spent", async () => {
    const capture = captureCompleted();
    const spend = budget({ per: "key", usd: 0.1, period: "day" });
    const gw = await createTestGateway({ plugins: [auth({ keys: KEYS }), priced(), spend, capture] });
    const first = await gw.post("/v1/chat/completions", ask, as("a1"));
    expect(first.status).toBe(200);
    await gw.drain(1000);
    const each = capture.completed[0].vars.costUsd as number;
    expect(each).toBeGreaterThan(0.01);
    // Requests are refused once the spend so far reaches the cap.
    const allowed = Math.ceil(0.1 / each);
    let served = 1;
    let refused: Response | null = null;
    for (let i = 0; i < allowed + 2 && refused === null; i++) {
      const res = await gw.post("/v1/chat/completions", ask, as("a1"));
      await gw.drain(1000);
      if (res.status === 200) served++;
      else refused = res;
    }
    expect(served).toBe(allowed);
    expect(refused!.status).toBe(429);
    expect(refused!.headers.get("x-should-retry")).toBe("false");
    expect(Number(refused!.headers.get("retry-after"))).toBeGreaterThan(0);
    const body = await refused!.json();
    expect(body.error).toMatchObject({ type: "insufficient_quota", code: "insufficient_quota" });
    expect(body.error.message).toMatch(/You exceeded your daily budget: key 'a1' has spent \$0\.\d\d of \$0\.10 for \d{4}-\d{2}-\d{2} \(UTC\)\. It resets at \d{4}-\d{2}-\d{2}T00:00:00Z\./);
    expect(spend.stats().rejected).toBe(1);
    // Another key has its own budget.
    expect((await gw.post("/v1/chat/completions", ask, as("b1"))).status).toBe(200);
  });

  it("caps a team across its keys, and names monthly and total periods", async () => {
    const gw = await createTestGateway({
      plugins: [auth({ keys: KEYS }), priced(), budget({ per: "team", usd: 0.001, period: "month" }), budget({ per: "key", usd: 0.001, period: "total" })],
    });
    expect((await gw.post("/v1/chat/completions", ask, as("a1"))).status).toBe(200);
    await gw.drain(1000);
    const teamRefusal = await gw.post("/v1/chat/completions", ask, as("a2"));
    expect(teamRefusal.status).toBe(429);
    expect((await teamRefusal.json()).error.message).toMatch(/monthly budget: team 'alpha' has spent .* for \d{4}-\d{2} \(UTC\)/);
    const keyRefusal = await gw.post("/v1/chat/completions", ask, as("a1"));
    expect((await keyRefusal.json()).error.message).toMatch(/monthly budget: team 'alpha'/);
    expect((await gw.post("/v1/chat/completions", ask, as("b1"))).status).toBe(200);
    await gw.drain(1000);
    const total = await (await gw.post("/v1/chat/completions", ask, as("b1"))).json();
    expect(total.error.message).toMatch(/monthly budget: team 'beta'/);
  });

  it("says total budgets never reset, without a Retry-After", async () => {
    const gw = await createTestGateway({ plugins: [auth({ keys: KEYS }), priced(), budget({ per: "key", usd: 0.001, period: "total" })] });
    await gw.post("/v1/chat/completions", ask, as("b1"));
    await gw.drain(1000);
    const res = await gw.post("/v1/chat/completions", ask, as("b1"));
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBeNull();
    expect((await res.json()).error.message).toMatch(/total budget: key 'b1' has spent \$\d+\.\d\d of \$0\.0010\. It does not reset\./);
  });

  it("needs the cost plugin, and valid options", async () => {
    await expect(createTestGateway({ plugins: [budget({ per: "key", usd: 1, period: "day" })] })).rejects.toThrow(PluginChainError);
    expect(() => budget({ per: "model" as never, usd: 1, period: "day" })).toThrow(/per/);
    expect(() => budget({ per: "key", usd: 0, period: "day" })).toThrow(/usd/);
    expect(() => budget({ per: "key", usd: 1, period: "week" as never })).toThrow(/period/);
  });

  it("keeps counting in the store it is given", async () => {
    const store = memoryStore();
    const gw = await createTestGateway({ plugins: [auth({ keys: KEYS }), priced(), budget({ per: "key", usd: 10, period: "day", store })] });
    await gw.post("/v1/chat/completions", ask, as("a1"));
    await gw.drain(1000);
    expect(store.size).toBe(1);
  });
});
