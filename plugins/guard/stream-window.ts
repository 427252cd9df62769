/**
 * The output check of a streamed answer, without buffering the answer: the last `hold` characters
 * of a text block are held back, so that a value or term split across chunks is seen whole before
 * any of it reaches the client. Each push scans at most `hold` + the new chunk; what is older is
 * settled and sent. At the end of the block the rest is checked and sent.
 */
import { type Finding, placeholder, type TextPolicy } from "./text-policy.ts";

/** Characters that join a word (and an email, a number, a key): the held-back part starts between words. */
function joins(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code > 127 || code === 95 || code === 64 || code === 46 || code === 45 || code === 43 || code === 37;
}

export interface WindowEvents {
  /** A finding to block on: throws, ending the stream. */
  block(finding: Finding): never;
  redacted(finding: Finding): void;
}

export class StreamWindow {
  private pending = "";

  constructor(
    private readonly policy: TextPolicy,
    private readonly hold: number,
    private readonly events: WindowEvents,
  ) {}

  /** The text that may go to the client now (possibly ""), with redactions applied. */
  push(text: string): string {
    const buffer = this.pending.length === 0 ? text : this.pending + text;
    if (buffer.length <= this.hold) {
      this.pending = buffer;
      return "";
    }
    return this.settle(buffer, this.cutAt(buffer));
  }

  /** The block ended: everything held back, checked. */
  flush(): string {
    const buffer = this.pending;
    return buffer.length === 0 ? "" : this.settle(buffer, buffer.length);
  }

  /**
   * Where the settled part ends: `hold` characters from the end, moved back to a word boundary
   * (so the held part never starts mid-word, where a pattern would see a false start), but never
   * more than another `hold`: a run without boundaries (a base64 blob) cannot stall the stream.
   */
  private cutAt(buffer: string): number {
    const cut = buffer.length - this.hold;
    const floor = Math.max(0, cut - this.hold);
    for (let i = cut; i > floor; i--) {
      if (!joins(buffer.charCodeAt(i - 1)) || !joins(buffer.charCodeAt(i))) return i;
    }
    return cut;
  }

  /** Send `buffer` up to `cut` (further when a redacted value runs past it); hold the rest. */
  private settle(buffer: string, cut: number): string {
    const findings = this.policy.scan(buffer);
    let out = "";
    let last = 0;
    for (const finding of findings) {
      // Values starting in the held part may still grow with the next chunk: decided later.
      if (finding.start >= cut) break;
      if (finding.action === "block") this.events.block(finding);
      out += buffer.slice(last, finding.start) + placeholder(finding.reason);
      last = finding.end;
      this.events.redacted(finding);
    }
    const end = last > cut ? last : cut;
    out += buffer.slice(last, end);
    this.pending = buffer.slice(end);
    return out;
  }
}
