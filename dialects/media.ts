import type { MediaSource } from "../core/canonical.ts";

const DATA_URL = /^data:([^;,]+)?((?:;[^;,]*)*?);base64,/i;

/** A `data:<type>;base64,<data>` URL as a base64 source, any other URL as a URL source. */
export function sourceFromUrl(url: string): MediaSource {
  const match = DATA_URL.exec(url);
  if (match === null) return { kind: "url", url };
  return { kind: "base64", mediaType: match[1] ?? "application/octet-stream", data: url.slice(match[0].length) };
}

/** A source as a URL: base64 data becomes a data URL. */
export function urlFromSource(source: MediaSource): string {
  return source.kind === "url" ? source.url : `data:${source.mediaType};base64,${source.data}`;
}
