import { describe, it } from "vitest";
import { gemini } from "../../dialects/gemini/index.ts";
import { dialectConformance, geminiTranscripts } from "../../testing/index.ts";

describe("the Gemini dialect passes the dialect conformance suite", () => {
  for (const check of dialectConformance(gemini, geminiTranscripts)) it(check.name, check.run);
});
