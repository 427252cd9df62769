/**
 * switchyard-plugin-request-tagger: attribute traffic to a tag the caller sends (a cost centre, a
 * feature, a job), on every surface and dialect.
 *
 * - onRequest: reads the tag from a request header, refuses a malformed or unknown one (400
 *   `tagger_invalid_tag`), and echoes it on the response.
 * - onAttempt: passes the tag to the upstream on every attempt, retries included.
 * - onChunk: counts the text each streamed answer sends and, with `maxStreamedChars`, ends a
 *   stream that runs past it (`tagger_stream_limit`, as an error event in the client's dialect).
 * - onComplete: adds the finished request to its tag's counts (requests, errors, tokens, text).
 * - api: the counts, for metrics exporters and dashboards (`pluginApis(plugins, FACET)`).
 */
import { definePlugin, GatewayError, type Plugin } from "switchyard";

/** The facet name other plugins read, named after this package so it cannot collide. */
export const FACET = "switchyard-plugin-request-tagger";

export interface TagCounts {
  requests: number;
  /** Requests that ended in an error (refused, failed upstream, or a stream ended early). */
  errors: number;
  inputTokens: number;
  outputTokens: number;
  /** Characters of answer text sent in streams. */
  streamedChars: number;
}

export interface RequestTaggerApi {
  /** A copy of the counts, by tag. */
  counts(): Readonly<Record<string, Readonly<TagCounts>>>;
}

declare module "switchyard" {
  interface ContextVariables {
    /** The request's tag (set by switchyard-plugin-request-tagger). */
    "requestTagger.tag"?: string;
    /** Characters of answer text streamed so far. */
    "requestTagger.streamedChars"?: number;
  }
  interface PluginApi {
    "switchyard-plugin-request-tagger"?: RequestTaggerApi;
  }
}

export interface RequestTaggerOptions {
  /** The request header carrying the tag. Default `x-request-tag`. */
  header?: string;
  /** The tag of requests that send none. Default `untagged`. */
  defaultTag?: string;
  /** When set, only these tags are accepted; others are refused. */
  allowed?: readonly string[];
  /** The header the upstream gets the tag in. Default: the same as `header`. */
  upstreamHeader?: string;
  /** End a stream once its answer text passes this many characters. Default: no limit. */
  maxStreamedChars?: number;
  /** Most distinct tags counted; later ones count under `_other`. Default 100. */
  maxTags?: number;
  /** Plugin name. Default `request-tagger`. */
  name?: string;
}

/** Letters, digits, `.`, `_` and `-`; it ends up in headers, logs and metric labels. */
const TAG = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const OTHER = "_other";

function emptyCounts(): TagCounts {
  return { requests: 0, errors: 0, inputTokens: 0, outputTokens: 0, streamedChars: 0 };
}

export function requestTagger(options: RequestTaggerOptions = {}): Plugin & { readonly api: { readonly [FACET]: RequestTaggerApi } } {
  const header = (options.header ?? "x-request-tag").toLowerCase();
  const upstreamHeader = (options.upstreamHeader ?? header).toLowerCase();
  const defaultTag = options.defaultTag ?? "untagged";
  const allowed = options.allowed === undefined ? null : new Set(options.allowed);
  const maxStreamedChars = options.maxStreamedChars;
  const maxTags = options.maxTags ?? 100;
  if (!TAG.test(defaultTag)) throw new TypeError(`request-tagger: defaultTag "${defaultTag}" must be 1-64 letters, digits, ".", "_" or "-"`);
  if (maxStreamedChars !== undefined && (!Number.isInteger(maxStreamedChars) || maxStreamedChars < 1)) {
    throw new TypeError("request-tagger: maxStreamedChars must be a positive integer");
  }
  if (!Number.isInteger(maxTags) || maxTags < 1) throw new TypeError("request-tagger: maxTags must be a positive integer");

  // Bounded: a caller sending a fresh tag per request cannot grow this past maxTags + 1 entries.
  const counts = new Map<string, TagCounts>();
  const countsFor = (tag: string): TagCounts => {
    let entry = counts.get(tag);
    if (entry === undefined) {
      const key = counts.size < maxTags ? tag : OTHER;
      entry = counts.get(key) ?? emptyCounts();
      counts.set(key, entry);
    }
    return entry;
  };

  const api: RequestTaggerApi = {
    counts: () => Object.fromEntries([...counts].map(([tag, c]) => [tag, { ...c }])),
  };

  return definePlugin({
    name: options.name ?? "request-tagger",
    requires: { core: "^0.1.0" },
    api: { [FACET]: api },

    onRequest(ctx) {
      const sent = ctx.request.headers.get(header);
      const tag = sent === null || sent === "" ? defaultTag : sent;
      if (!TAG.test(tag) || (allowed !== null && sent !== null && !allowed.has(tag))) {
        throw new GatewayError({
          status: 400,
          message: allowed !== null && TAG.test(tag) ? `The ${header} header names an unknown tag.` : `The ${header} header must be 1-64 letters, digits, ".", "_" or "-".`,
          code: "tagger_invalid_tag",
          param: header,
          fault: "client",
        });
      }
      ctx.vars["requestTagger.tag"] = tag;
      ctx.setResponseHeader(header, tag);
    },

    onAttempt(ctx, attempt) {
      const tag = ctx.vars["requestTagger.tag"];
      if (tag !== undefined) attempt.headers[upstreamHeader] = tag;
    },

    onChunk: {
      filter: { operations: ["generate"] },
      handler(ctx, event) {
        if (event.type !== "text") return;
        const sent = (ctx.vars["requestTagger.streamedChars"] ?? 0) + event.text.length;
        ctx.vars["requestTagger.streamedChars"] = sent;
        if (maxStreamedChars !== undefined && sent > maxStreamedChars) {
          throw new GatewayError({
            status: 400,
            message: `The answer passed ${maxStreamedChars} characters, the most this gateway streams for one request.`,
            code: "tagger_stream_limit",
            fault: "policy",
          });
        }
      },
    },

    onComplete(ctx) {
      const tag = ctx.vars["requestTagger.tag"];
      if (tag === undefined) return;
      const entry = countsFor(tag);
      entry.requests++;
      if (ctx.error !== null) entry.errors++;
      entry.inputTokens += ctx.usage?.inputTokens ?? 0;
      entry.outputTokens += ctx.usage?.outputTokens ?? 0;
      entry.streamedChars += ctx.vars["requestTagger.streamedChars"] ?? 0;
    },

    describe: () => ({ header, upstreamHeader, defaultTag, allowed: allowed === null ? null : [...allowed], maxStreamedChars: maxStreamedChars ?? null }),
  });
}
