import { describe, expect, it } from "vitest";
import { createGateway } from "../../core/gateway.ts";
import { definePlugin } from "../../core/plugin.ts";
import { mock } from "../../providers/index.ts";
import { afterResponse } from "../../runtimes/after-response.ts";

/**
 * `onComplete` runs after the response, on the turn the runtime supplies (`afterResponse`), in
 * one batch per turn; without one, on a zero timer.
 */
const chat = (content: string): Request =>
  new Request("http://gw/v1/chat/completions", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model: "mock/m", messages: [{ role: "user", content }] }) });

function recorder() {
  const seen: string[] = [];
  const plugin = definePlugin({ name: "recorder", onComplete: (ctx) => void seen.push(`${ctx.status} ${ctx.id}`) });
  return { seen, plugin };
}

describe("work after the response", () => {
  it("waits for the runtime's turn, and runs every completion queued by then in it", async () => {
    const turns: (() => void)[] = [];
    const { seen, plugin } = recorder();
    const gateway = await createGateway({ providers: { mock: mock() }, plugins: [plugin] }, { afterResponse: (task) => void turns.push(task) });
    const answers = await Promise.all([gateway.fetch(chat("a")), gateway.fetch(chat("b"))]);
    expect(answers.map((r) => r.status)).toEqual([200, 200]);
    expect(seen).toEqual([]);
    expect(turns).toHaveLength(1);
    turns.shift()!();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(seen.sort()).toEqual(answers.map((r) => `200 ${r.headers.get("x-request-id")}`).sort());
    await gateway.close({ timeoutMs: 1000 });
  });

  it("runs on a zero timer when the runtime gives none, and on the CLI's setImmediate turn", async () => {
    for (const options of [{}, { afterResponse }]) {
      const { seen, plugin } = recorder();
      const gateway = await createGateway({ providers: { mock: mock() }, plugins: [plugin] }, options);
      const answer = await gateway.fetch(chat("c"));
      await answer.text();
      await new Promise((resolve) => setTimeout(resolve, 5));
      expect(seen).toEqual([`200 ${answer.headers.get("x-request-id")}`]);
      await gateway.close({ timeoutMs: 1000 });
    }
  });
});
