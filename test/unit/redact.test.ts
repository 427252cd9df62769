import { describe, expect, it } from "vitest";
import { isSecretName, REDACTED, redactJson, redactText, requestSecrets } from "../../core/redact.ts";

describe("redaction", () => {
  it("knows credential field and header names, and leaves token counts and ordinary fields alone", () => {
    for (const name of ["authorization", "Authorization", "x-api-key", "api-key", "api_key", "apiKey", "cookie", "set-cookie", "proxy-authorization", "access_token", "client_secret", "password", "refresh-token"]) {
      expect(isSecretName(name), name).toBe(true);
    }
    for (const name of ["max_tokens", "prompt_tokens", "total_tokens", "model", "messages", "user", "stream_options", "content"]) {
      expect(isSecretName(name), name).toBe(false);
    }
  });

  it("replaces key-like strings and the request's own credentials in text", () => {
    const text = "keys sk-proj-abcdefgh12345678, sk-ant-api03-XYZxyz987654, Bearer abc.def.ghi-123456 and AKIAABCDEFGHIJKLMNOP; mine is my-own-key-42";
    const out = redactText(text, ["my-own-key-42"]);
    expect(out).toBe(`keys ${REDACTED}, ${REDACTED}, ${REDACTED} and ${REDACTED}; mine is ${REDACTED}`);
    expect(redactText("nothing secret here: sk-1", [])).toBe("nothing secret here: sk-1");
  });

  it("takes the credentials a request carried from its headers, with and without the scheme", () => {
    const headers = new Headers({ authorization: "Bearer team-key-123456", "x-api-key": "other-key-654321", "content-type": "application/json" });
    expect(requestSecrets(headers)).toEqual(["Bearer team-key-123456", "team-key-123456", "other-key-654321"]);
  });

  it("blanks credential fields of JSON at any depth and scrubs strings, without touching the original", () => {
    const body = { model: "m", max_tokens: 5, metadata: { api_key: "x1", nested: [{ password: "p", note: "sk-abcdefghijk123" }] }, empty: { token: "" } };
    expect(redactJson(body, [])).toEqual({
      model: "m",
      max_tokens: 5,
      metadata: { api_key: REDACTED, nested: [{ password: REDACTED, note: REDACTED }] },
      empty: { token: "" },
    });
    expect(body.metadata.api_key).toBe("x1");
  });
});
