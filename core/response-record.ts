/**
 * What the client was sent: one record per request, which the log, the cache and the runtime
 * bridges all read. The pipeline is its only writer.
 */
export class ResponseRecord {
  /** A whole answer's text as sent (JSON and error bodies); null for streams. */
  text: string | null = null;
  /** Bytes of a streamed answer sent so far; -1 for whole answers (their size is `text`'s). */
  streamedBytes = -1;
}

/** Responses the gateway built from a record's text, so a bridge can write the text without reading a stream. */
const built = new WeakMap<Response, ResponseRecord>();

/** A Response whose body is `record.text`. */
export function textResponse(record: ResponseRecord, init: ResponseInit): Response {
  const response = new Response(record.text, init);
  built.set(response, record);
  return response;
}

/** Mark a Response (a stream, or one a plugin made) as the one the record describes. */
export function builtResponse(record: ResponseRecord, response: Response): Response {
  built.set(response, record);
  return response;
}

/** The text of a Response made by `textResponse`, unless something has read its body since. */
export function sentText(response: Response): string | undefined {
  const record = built.get(response);
  return record === undefined || record.text === null || response.bodyUsed ? undefined : record.text;
}

/** Whether `response` is the one the gateway built from `record`. */
export function isBuiltFrom(response: Response, record: ResponseRecord): boolean {
  return built.get(response) === record;
}
