import { describe, it } from "vitest";
import { responses } from "../../dialects/responses/index.ts";
import { dialectConformance, responsesTranscripts } from "../../testing/index.ts";

describe("the OpenAI Responses dialect passes the dialect conformance suite", () => {
  for (const check of dialectConformance(responses, responsesTranscripts)) it(check.name, check.run);
});
