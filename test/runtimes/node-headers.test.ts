import type { IncomingHttpHeaders } from "node:http";
import { describe, expect, it } from "vitest";
import { lazyHeaders } from "../../runtimes/node-headers.ts";

const raw = (): IncomingHttpHeaders => ({ "content-type": "application/json", "x-api-key": "k", "x-multi": ["a", "b"] as unknown as string, host: "localhost" });

describe("lazyHeaders", () => {
  it("is a Headers and answers lookups like one built from the same fields", () => {
    const headers = lazyHeaders(raw());
    // node:http gives a repeated set-cookie as an array: each item is one field.
    const real = new Headers([["content-type", "application/json"], ["x-api-key", "k"], ["x-multi", "a"], ["x-multi", "b"], ["host", "localhost"]]);
    expect(headers).toBeInstanceOf(Headers);
    for (const name of ["content-type", "Content-Type", "X-API-KEY", "x-multi", "absent", "constructor", "__proto__", "toString"]) {
      expect(headers.get(name), name).toBe(real.get(name));
      expect(headers.has(name), name).toBe(real.has(name));
    }
  });

  it("iterates, copies and changes through a real Headers built once", () => {
    const headers = lazyHeaders(raw());
    expect([...headers]).toEqual([...new Headers([["content-type", "application/json"], ["host", "localhost"], ["x-api-key", "k"], ["x-multi", "a"], ["x-multi", "b"]])]);
    headers.set("x-api-key", "changed");
    headers.delete("host");
    expect(headers.get("x-api-key")).toBe("changed");
    expect(headers.has("host")).toBe(false);
    const copy = new Headers(headers);
    expect(copy.get("x-api-key")).toBe("changed");
    expect(copy.get("x-multi")).toBe("a, b");
    const forEach: string[] = [];
    headers.forEach((value, name) => forEach.push(`${name}=${value}`));
    expect(forEach).toEqual(["content-type=application/json", "x-api-key=changed", "x-multi=a, b"]);
  });

  it("serves as a Request's and a Response's headers", async () => {
    const request = new Request("http://localhost/", { headers: lazyHeaders(raw()) });
    expect(request.headers.get("x-api-key")).toBe("k");
    const response = new Response("{}", { headers: lazyHeaders(raw()) });
    expect(response.headers.get("content-type")).toBe("application/json");
  });
});
