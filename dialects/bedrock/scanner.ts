import type { StreamScanner } from "../../core/dialect.ts";
import type { Usage } from "../../core/types.ts";
import { BedrockStreamDecoder } from "./stream.ts";

/** A Converse stream passed through as it came, its usage and any exception read on the way. */
export class BedrockStreamScanner implements StreamScanner {
  private readonly decoder = new BedrockStreamDecoder();
  usage: Usage | null = null;
  upstreamError: { type: string; message: string } | null = null;

  push(chunk: Uint8Array): Uint8Array {
    for (const event of this.decoder.push(chunk)) {
      if (event.type === "usage") this.usage = event.usage;
      else if (event.type === "error") this.upstreamError = event.error;
    }
    return chunk;
  }

  end(): null {
    return null;
  }
}
