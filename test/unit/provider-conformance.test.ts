/**
 * The built-in adapters pass the provider conformance suite that community adapters run
 * (testing/provider-conformance.ts), one run per wire format.
 */
import { describe, it } from "vitest";
import { anthropic, openai } from "../../providers/index.ts";
import { mockUpstream, providerConformance } from "../../testing/index.ts";

const BASE_URL = "http://upstream.test/v1";
const API_KEY = "sk-conformance-0123456789";

describe("openai adapter (chat completions)", () => {
  const mock = mockUpstream({ apiKey: API_KEY });
  for (const check of providerConformance({ adapter: openai({ baseURL: BASE_URL, apiKey: API_KEY }), mock, model: "conformance-model" })) it(check.name, check.run);
});

describe("anthropic adapter", () => {
  const mock = mockUpstream({ apiKey: API_KEY });
  for (const check of providerConformance({ adapter: anthropic({ baseURL: BASE_URL, apiKey: API_KEY }), mock, model: "claude-sonnet-4-5" })) it(check.name, check.run);
});
