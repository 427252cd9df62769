/**
 * Guardrails: personal data, secrets and blocked terms kept out of what reaches a model and out of
 * what comes back, and a ceiling on input size. Built only on public plugin hooks, so it doubles as
 * the worked example of docs/plugins.md:
 * - `onRequest` checks the request (size, then its text) and redacts it with `ctx.setBody`, or
 *   refuses it by throwing a coded `GatewayError`, which the client gets in its own dialect.
 * - `onResponse` checks a whole answer; `onChunk` checks a streamed one event by event, holding
 *   back only a bounded window of text so a value split across chunks is still caught.
 * - `api.guard` exposes its counts, which the `metrics` plugin exports.
 * Hooks are registered only for the checks configured: without `output`, streams keep their
 * byte-for-byte pass-through.
 */
import type { StreamEvent } from "../../core/canonical.ts";
import type { RequestContext } from "../../core/context.ts";
import type { GuardApi } from "../../core/plugin-api.ts";
import { definePlugin, type OnChunkHook, type OnRequestHook, type OnResponseHook, type Plugin } from "../../core/plugin.ts";
import type { PiiKind } from "./detectors.ts";
import { inputRefused, inputTooLong, outputRefused } from "./errors.ts";
import { mapText } from "./json-text.ts";
import { StreamWindow } from "./stream-window.ts";
import { type Finding, firstBlock, type GuardAction, type GuardReason, type PiiRules, redact, TextPolicy, type TextRules } from "./text-policy.ts";

export { ibanValid, luhnValid, PII_KINDS, type PiiKind } from "./detectors.ts";
export { type GuardAction, type GuardReason, type PiiRules, placeholder, type TextRules } from "./text-policy.ts";

export interface GuardInputOptions extends TextRules {
  /** Refuse requests whose estimated input is over this many tokens (the estimate rate limits use). */
  maxTokens?: number;
}

export interface GuardOutputOptions extends TextRules {
  /**
   * Characters of a streamed answer held back before they are sent, so that a value or term
   * split across chunks is seen whole. Longer values than this may slip through a stream; each
   * chunk waits at most this much text. Default 128, and never less than the longest blocked term.
   */
  window?: number;
}

export interface GuardOptions {
  /** Checks on what the client sends. */
  input?: GuardInputOptions;
  /** Checks on what the model answers, whole or streamed. */
  output?: GuardOutputOptions;
  /** Plugin name, for running two guards with different rules. Default `guard`. */
  name?: string;
}

export interface GuardPlugin extends Plugin {
  readonly api: { readonly guard: GuardApi };
}

export const DEFAULT_WINDOW = 128;

type Direction = "input" | "output";

/** Counters by direction and reason; what `api.guard.stats()` reads. */
class GuardCounters {
  readonly blocked = { input: {} as Record<string, number>, output: {} as Record<string, number> };
  readonly redacted = { input: {} as Record<string, number>, output: {} as Record<string, number> };

  block(direction: Direction, reason: GuardReason | "tokens"): void {
    const counts = this.blocked[direction];
    counts[reason] = (counts[reason] ?? 0) + 1;
  }

  redact(direction: Direction, reason: GuardReason): void {
    const counts = this.redacted[direction];
    counts[reason] = (counts[reason] ?? 0) + 1;
  }

  snapshot(): ReturnType<GuardApi["stats"]> {
    return {
      blocked: { input: { ...this.blocked.input }, output: { ...this.blocked.output } },
      redacted: { input: { ...this.redacted.input }, output: { ...this.redacted.output } },
    };
  }
}

/** The text of a body checked against `policy`: refused on the first block, else redacted (the same object when clean). */
function checkBody(body: unknown, policy: TextPolicy, onBlock: (finding: Finding) => never, onRedact: (finding: Finding) => void): unknown {
  return mapText(body, (text) => {
    const findings = policy.scan(text);
    if (findings.length === 0) return text;
    const block = firstBlock(findings);
    if (block !== undefined) onBlock(block);
    for (const finding of findings) onRedact(finding);
    return redact(text, findings);
  });
}

function positiveInteger(value: number | undefined, what: string): void {
  if (value !== undefined && (!Number.isInteger(value) || value < 1)) throw new TypeError(`guard: ${what} must be a positive integer`);
}

export function guard(options: GuardOptions = {}): GuardPlugin {
  const { input, output } = options;
  if (input === undefined && output === undefined) throw new TypeError("guard: give `input` or `output` checks (or both)");
  positiveInteger(input?.maxTokens, "input.maxTokens");
  positiveInteger(output?.window, "output.window");
  const counters = new GuardCounters();
  const api: GuardApi = { stats: () => counters.snapshot() };
  const plugin: { -readonly [K in keyof GuardPlugin]: GuardPlugin[K] } = {
    name: options.name ?? "guard",
    api: { guard: api },
    describe: () => ({
      input: input === undefined ? null : { pii: input.pii ?? null, blockedTerms: input.blockedTerms?.length ?? 0, maxTokens: input.maxTokens ?? null },
      output: output === undefined ? null : { pii: output.pii ?? null, blockedTerms: output.blockedTerms?.length ?? 0, window: output.window ?? DEFAULT_WINDOW },
    }),
  };
  if (input !== undefined) plugin.onRequest = inputCheck(input, counters);
  if (output !== undefined) {
    const policy = new TextPolicy(output, "output");
    if (!policy.empty) {
      plugin.onResponse = { handler: wholeAnswerCheck(policy, counters), filter: { operations: ["generate"] } };
      const hold = Math.max(output.window ?? DEFAULT_WINDOW, policy.longestTerm);
      plugin.onChunk = streamCheck(policy, hold, counters);
    }
  }
  return definePlugin(plugin as GuardPlugin);
}

function inputCheck(options: GuardInputOptions, counters: GuardCounters): OnRequestHook {
  const policy = new TextPolicy(options, "input");
  const maxTokens = options.maxTokens;
  const block = (finding: Finding): never => {
    counters.block("input", finding.reason);
    throw inputRefused(finding.reason);
  };
  const redacted = (finding: Finding): void => counters.redact("input", finding.reason);
  return (ctx) => {
    const body = ctx.body;
    if (body === null) return;
    if (maxTokens !== undefined && ctx.estimatedInputTokens > maxTokens) {
      counters.block("input", "tokens");
      throw inputTooLong(ctx.estimatedInputTokens, maxTokens);
    }
    if (policy.empty) return;
    const checked = checkBody(body, policy, block, redacted);
    if (checked !== body) ctx.setBody(checked as Record<string, unknown>);
  };
}

/** A whole answer, in the client's dialect: its text fields checked, and the answer rebuilt only when something was redacted. */
function wholeAnswerCheck(policy: TextPolicy, counters: GuardCounters): OnResponseHook {
  const block = (finding: Finding): never => {
    counters.block("output", finding.reason);
    throw outputRefused(finding.reason);
  };
  const redacted = (finding: Finding): void => counters.redact("output", finding.reason);
  return async (ctx, response) => {
    if (ctx.stream || response.status !== 200 || !(response.headers.get("content-type") ?? "").includes("json")) return;
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return new Response(text, response);
    }
    const checked = checkBody(parsed, policy, block, redacted);
    const headers = new Headers(response.headers);
    headers.delete("content-length");
    return new Response(checked === parsed ? text : JSON.stringify(checked), { status: response.status, statusText: response.statusText, headers });
  };
}

/** Per streamed answer: the window of the text block being checked. */
interface StreamState {
  index: number;
  window: StreamWindow;
}

function streamCheck(policy: TextPolicy, hold: number, counters: GuardCounters): OnChunkHook {
  const streams = new WeakMap<RequestContext, StreamState>();
  const events = {
    block(finding: Finding): never {
      counters.block("output", finding.reason);
      throw outputRefused(finding.reason);
    },
    redacted: (finding: Finding) => counters.redact("output", finding.reason),
  };
  /** What is held back of the open block, as a text event to send before `event` (or `event` alone). */
  const flushed = (state: StreamState | undefined, event: StreamEvent): StreamEvent[] | undefined => {
    const rest = state === undefined ? "" : state.window.flush();
    return rest.length === 0 ? undefined : [{ type: "text", index: state!.index, text: rest }, event];
  };
  return (ctx, event) => {
    switch (event.type) {
      case "text": {
        let state = streams.get(ctx);
        let before: StreamEvent[] | null = null;
        if (state === undefined) streams.set(ctx, (state = { index: event.index, window: new StreamWindow(policy, hold, events) }));
        else if (state.index !== event.index) {
          // A new block without the old one's stop: settle the old one first.
          const rest = state.window.flush();
          if (rest.length > 0) before = [{ type: "text", index: state.index, text: rest }];
          state.index = event.index;
        }
        const text = state.window.push(event.text);
        const now: StreamEvent[] = text.length === 0 ? [] : text === event.text ? [event] : [{ type: "text", index: event.index, text }];
        return before === null ? (now.length === 1 && now[0] === event ? undefined : now) : [...before, ...now];
      }
      case "block_stop":
      case "finish":
      case "done":
      case "error":
        return flushed(streams.get(ctx), event);
      default:
        return undefined;
    }
  };
}
