import { describe, expect, it } from "vitest";
import { GatewayError } from "../../core/errors.ts";
import { validateChatRequest, validateEmbeddingsRequest } from "../../dialects/openai/validate.ts";

function rejectionOf(validate: (body: Record<string, unknown>) => void, body: Record<string, unknown>): GatewayError {
  try {
    validate(body);
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayError);
    return error as GatewayError;
  }
  throw new Error(`expected ${JSON.stringify(body)} to be rejected`);
}

const chatError = (body: Record<string, unknown>) => rejectionOf(validateChatRequest, body);
const embeddingsError = (body: Record<string, unknown>) => rejectionOf(validateEmbeddingsRequest, body);

const user = { role: "user", content: "Hello" };

describe("validateChatRequest", () => {
  it("accepts a minimal request", () => {
    expect(() => validateChatRequest({ model: "gpt-4o", messages: [user] })).not.toThrow();
  });

  it("accepts a rich request with unknown fields left for the upstream", () => {
    expect(() =>
      validateChatRequest({
        model: "openai/gpt-4o-mini",
        messages: [
          { role: "system", content: "Be brief." },
          { role: "user", content: [{ type: "text", text: "hi" }] },
          { role: "assistant", content: null, tool_calls: [{ id: "c1", type: "function", function: { name: "f", arguments: "{}" } }] },
          { role: "tool", tool_call_id: "c1", content: "42" },
        ],
        stream: true,
        stream_options: { include_usage: true },
        temperature: 0.2,
        tools: [],
        some_vendor_extension: { anything: true },
      }),
    ).not.toThrow();
  });

  it("accepts null for stream, stream_options and include_usage", () => {
    expect(() => validateChatRequest({ model: "m", messages: [user], stream: null, stream_options: null })).not.toThrow();
    expect(() => validateChatRequest({ model: "m", messages: [user], stream: false, stream_options: { include_usage: null } })).not.toThrow();
  });

  it("does not judge roles or content itself (the upstream does)", () => {
    expect(() => validateChatRequest({ model: "m", messages: [{ role: "wizard" }] })).not.toThrow();
  });

  it("reports a missing model as missing_required_parameter with param model", async () => {
    const error = chatError({ messages: [user] });
    expect(error.status).toBe(400);
    expect(error.type).toBe("invalid_request_error");
    expect(error.code).toBe("missing_required_parameter");
    expect(error.param).toBe("model");
    expect(error.message).toBe("Missing required parameter: 'model'.");
    expect(await error.toResponse().json()).toEqual({
      error: { message: "Missing required parameter: 'model'.", type: "invalid_request_error", code: "missing_required_parameter", param: "model" },
    });
  });

  it("reports a model of the wrong type or empty as invalid_value", () => {
    const wrongType = chatError({ model: 4, messages: [user] });
    expect(wrongType.code).toBe("invalid_value");
    expect(wrongType.param).toBe("model");
    expect(wrongType.message).toBe("Invalid value for 'model': must be a string.");
    const nullModel = chatError({ model: null, messages: [user] });
    expect(nullModel.code).toBe("invalid_value");
    expect(nullModel.param).toBe("model");
    const empty = chatError({ model: "", messages: [user] });
    expect(empty.code).toBe("invalid_value");
    expect(empty.message).toBe("Invalid value for 'model': must not be empty.");
  });

  it("refuses a model id with control characters, which could not travel in a response header", () => {
    for (const model of ["mock/a\nb", "gpt\r4o", "x\u0000", "y\u007f"]) {
      const error = chatError({ model, messages: [user] });
      expect(error.status).toBe(400);
      expect(error.param).toBe("model");
      expect(error.message).toBe("Invalid value for 'model': must not contain control characters.");
    }
    expect(() => validateChatRequest({ model: "ünïcode/模型 v2", messages: [user] })).not.toThrow();
  });

  it("checks model before messages", () => {
    expect(chatError({}).param).toBe("model");
  });

  it("reports missing messages", () => {
    const error = chatError({ model: "gpt-4o" });
    expect(error.code).toBe("missing_required_parameter");
    expect(error.param).toBe("messages");
    expect(error.message).toBe("Missing required parameter: 'messages'.");
  });

  it("reports messages that are not an array", () => {
    for (const messages of ["hello", { role: "user" }, 1, null]) {
      const error = chatError({ model: "gpt-4o", messages });
      expect(error.status).toBe(400);
      expect(error.code).toBe("invalid_value");
      expect(error.param).toBe("messages");
      expect(error.message).toBe("Invalid value for 'messages': must be an array of messages.");
    }
  });

  it("reports an empty messages array", () => {
    const error = chatError({ model: "gpt-4o", messages: [] });
    expect(error.param).toBe("messages");
    expect(error.message).toBe("Invalid value for 'messages': must contain at least one message.");
  });

  it("names messages[0].role when the role has the wrong type", () => {
    const error = chatError({ model: "gpt-4o", messages: [{ role: 1, content: "hi" }] });
    expect(error.status).toBe(400);
    expect(error.code).toBe("invalid_value");
    expect(error.param).toBe("messages[0].role");
    expect(error.message).toBe("Invalid value for 'messages[0].role': must be a string.");
  });

  it("names the index of a later bad message", () => {
    const error = chatError({ model: "gpt-4o", messages: [user, user, { role: null }] });
    expect(error.param).toBe("messages[2].role");
  });

  it("reports a missing role as missing_required_parameter with its path", () => {
    const error = chatError({ model: "gpt-4o", messages: [{ content: "no role" }] });
    expect(error.code).toBe("missing_required_parameter");
    expect(error.param).toBe("messages[0].role");
    expect(error.message).toBe("Missing required parameter: 'messages[0].role'.");
  });

  it("reports a message that is not an object", () => {
    const error = chatError({ model: "gpt-4o", messages: ["hi"] });
    expect(error.code).toBe("invalid_value");
    expect(error.param).toBe("messages[0]");
  });

  it("reports stream and stream_options.include_usage of the wrong type", () => {
    const stream = chatError({ model: "m", messages: [user], stream: "true" });
    expect(stream.param).toBe("stream");
    expect(stream.message).toBe("Invalid value for 'stream': must be a boolean.");
    const options = chatError({ model: "m", messages: [user], stream_options: "usage" });
    expect(options.param).toBe("stream_options");
    expect(options.message).toBe("Invalid value for 'stream_options': must be an object.");
    const include = chatError({ model: "m", messages: [user], stream_options: { include_usage: 1 } });
    expect(include.param).toBe("stream_options.include_usage");
    expect(include.code).toBe("invalid_value");
  });
});

describe("validateEmbeddingsRequest", () => {
  it.each([
    ["a string", "The food was delicious."],
    ["an array of strings", ["first", "second"]],
    ["an array of tokens", [1212, 318, 257]],
    ["an array of token arrays", [[1212, 318], [257]]],
  ])("accepts input as %s", (_label, input) => {
    expect(() => validateEmbeddingsRequest({ model: "text-embedding-3-small", input, encoding_format: "float", dimensions: 256 })).not.toThrow();
  });

  it("reports a missing model", () => {
    const error = embeddingsError({ input: "x" });
    expect(error.code).toBe("missing_required_parameter");
    expect(error.param).toBe("model");
  });

  it("reports a missing input", () => {
    const error = embeddingsError({ model: "text-embedding-3-small" });
    expect(error.status).toBe(400);
    expect(error.code).toBe("missing_required_parameter");
    expect(error.param).toBe("input");
    expect(error.message).toBe("Missing required parameter: 'input'.");
  });

  it.each([
    ["a number", 5],
    ["null", null],
    ["an object", { text: "x" }],
    ["an empty array", []],
    ["a mixed array", ["a", 1]],
    ["an array of booleans", [true]],
    ["nested strings", [["a"]]],
  ])("rejects input as %s, naming input", (_label, input) => {
    const error = embeddingsError({ model: "text-embedding-3-small", input });
    expect(error.status).toBe(400);
    expect(error.code).toBe("invalid_value");
    expect(error.param).toBe("input");
    expect(error.message).toBe("Invalid value for 'input': must be a non-empty string, array of strings, or array of token arrays.");
  });

  it("rejects an empty string input, naming input", () => {
    const error = embeddingsError({ model: "text-embedding-3-small", input: "" });
    expect(error.status).toBe(400);
    expect(error.code).toBe("invalid_value");
    expect(error.param).toBe("input");
    expect(error.message).toMatch(/^Invalid value for 'input': /);
  });
});
