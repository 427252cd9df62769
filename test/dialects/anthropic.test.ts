import { describe, it } from "vitest";
import { anthropic } from "../../dialects/anthropic/index.ts";
import { anthropicTranscripts, dialectConformance } from "../../testing/index.ts";

describe("Anthropic dialect: conformance against the documentation's transcripts", () => {
  for (const check of dialectConformance(anthropic, anthropicTranscripts)) it(check.name, check.run);
});
