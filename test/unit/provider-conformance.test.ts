/**
 * The built-in adapters pass the provider conformance suite that community adapters run
 * (testing/provider-conformance.ts), one run per wire format.
 */
import { describe, it } from "vitest";
import { anthropic, openai } from "../../providers/index.ts";
import { providerConformance } from "../../testing/index.ts";

describe("openai adapter (chat completions)", () => {
  for (const check of providerConformance({ make: ({ baseURL, apiKey }) => openai({ baseURL, apiKey }) })) it(check.name, check.run);
});

describe("openai adapter (Responses API, native)", () => {
  for (const check of providerConformance({ make: ({ baseURL, apiKey }) => openai({ baseURL, apiKey, responses: "native" }), format: "responses" })) it(check.name, check.run);
});

describe("anthropic adapter", () => {
  for (const check of providerConformance({ make: ({ baseURL, apiKey }) => anthropic({ baseURL, apiKey }) })) it(check.name, check.run);
});
