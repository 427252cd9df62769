import { describe, expect, it } from "vitest";
import { isDroppedSocketWrite } from "../../sinks/postgres-crash-guard.ts";

/** The shapes of the driver's uncatchable crash (from porsager/postgres#1154 and #896), and errors that are not it. */
function typeError(message: string, stack: string): TypeError {
  const error = new TypeError(message);
  error.stack = `TypeError: ${message}\n${stack}`;
  return error;
}

describe("isDroppedSocketWrite", () => {
  it("recognises the driver's deferred write on a closed socket, on V8 and JSC", () => {
    expect(isDroppedSocketWrite(typeError("Cannot read properties of null (reading 'write')", "    at Immediate.nextWrite (file:///app/node_modules/postgres/src/connection.js:255:22)\n    at process.processImmediate (node:internal/timers:483:21)"))).toBe(true);
    expect(isDroppedSocketWrite(typeError("null is not an object (evaluating 'socket.write')", "    at nextWrite (/app/node_modules/postgres/src/connection.js:255:15)"))).toBe(true);
    expect(isDroppedSocketWrite(typeError("Cannot read properties of undefined (reading 'replace')", "    at queryError (file:///srv/node_modules/postgres/src/connection.js:389:48)\n    at errored (file:///srv/node_modules/postgres/src/connection.js:384:17)"))).toBe(true);
  });

  it("leaves every other error alone", () => {
    expect(isDroppedSocketWrite(new TypeError("x is not a function"))).toBe(false);
    expect(isDroppedSocketWrite(typeError("boom", "    at handler (/app/plugins/mine.ts:3:9)\n    at nextWrite (/app/node_modules/postgres/src/connection.js:255:15)"))).toBe(false);
    expect(isDroppedSocketWrite(new Error("Cannot read properties of null (reading 'write')"))).toBe(false);
    expect(isDroppedSocketWrite("postgres/src/connection.js")).toBe(false);
  });
});
