import { describe, expect, it } from "vitest";
import { listen } from "../../runtimes/http-server.ts";
import { sendHugeBody } from "../helpers/raw-http.ts";

/**
 * A handler that answers a body it will not read only after the request's buffer has filled (a
 * loaded server answers late) must still stop the read: node:http drains a body nobody consumed
 * once the answer is sent, and a buffer already full never reached the read that marks it
 * consumed. Before the fix the whole 50 MiB was read.
 */
describe("an early answer given late", () => {
  it("stops reading a 50 MiB body whatever was buffered by the time the answer came", async () => {
    const server = await listen(async () => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      return new Response('{"error":{"message":"too large"}}', { status: 413, headers: { "content-type": "application/json" } });
    }, { port: 0 });
    try {
      const total = 50 * 1024 * 1024;
      const result = await sendHugeBody(server.port, `POST /x HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${total}\r\n\r\n`, total);
      expect(result.text).toContain("HTTP/1.1 413");
      expect(result.sent).toBeLessThan(total / 2);
    } finally {
      await server.close(100);
    }
  }, 40_000);
});
