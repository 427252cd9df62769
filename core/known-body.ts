/**
 * The text of responses the gateway built from a string, so a runtime adapter can write it out
 * without reading the body back through a stream. Weakly held: an entry lives as long as its
 * Response. A Response replaced by a plugin is not in the map and is read the standard way.
 */
const texts = new WeakMap<Response, string>();

/** A Response with `text` as its body, remembered for `knownBodyText`. */
export function textResponse(text: string, init: ResponseInit): Response {
  const response = new Response(text, init);
  texts.set(response, text);
  return response;
}

/** The body of a Response made by `textResponse`, unless something has read it since. */
export function knownBodyText(response: Response): string | undefined {
  const text = texts.get(response);
  return text === undefined || response.bodyUsed ? undefined : text;
}
