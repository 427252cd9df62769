import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { runToEnd } from "./processes.ts";

const here = dirname(fileURLToPath(import.meta.url));
const autocannonBin = join(here, "../../node_modules/.bin/autocannon");

/** How one request is addressed to one server under test. */
export interface Endpoint {
  readonly url: string;
  readonly model: string;
  /** Sent as a bearer key (the full chain's auth checks it; the others ignore it). */
  readonly key: string;
  /** Which surface the requests go to: OpenAI chat completions (default) or Anthropic Messages. */
  readonly surface?: "chat" | "messages";
  /** Extra request headers (a peer gateway's routing headers). */
  readonly headers?: Readonly<Record<string, string>>;
}

function headerArgs(endpoint: Endpoint, flag: string, join: string): string[] {
  return Object.entries(endpoint.headers ?? {}).flatMap(([name, value]) => [flag, `${name}${join}${value}`]);
}

export interface Throughput {
  rps: number;
  errors: number;
}

export interface Latency {
  p50: number | null;
  p99: number | null;
  count: number;
  errors: number;
}

export function requestBody(model: string, stream: boolean, surface: Endpoint["surface"] = "chat"): string {
  const maxTokens = surface === "messages" ? { max_tokens: 256 } : {};
  return JSON.stringify({ model, ...maxTokens, ...(stream ? { stream: true } : {}), messages: [{ role: "user", content: "Hello, how are you today?" }] });
}

const chatUrl = (endpoint: Endpoint): string => `${endpoint.url}${endpoint.surface === "messages" ? "/v1/messages" : "/v1/chat/completions"}`;

/** Requests per second from autocannon (a separate process), JSON chat requests. */
export async function throughput(endpoint: Endpoint, connections: number, seconds: number): Promise<Throughput> {
  const out = await runToEnd(autocannonBin, [
    "-c", String(connections), "-d", String(seconds), "-m", "POST",
    "-H", "content-type=application/json", "-H", `authorization=Bearer ${endpoint.key}`, ...headerArgs(endpoint, "-H", "="),
    "-b", requestBody(endpoint.model, false, endpoint.surface), "--json", chatUrl(endpoint),
  ]);
  const result = JSON.parse(out) as { requests: { average: number }; non2xx: number; errors: number };
  return { rps: result.requests.average, errors: result.non2xx + result.errors };
}

/** Latency percentiles (ms, microsecond timing) from bench/e2e/probe.mjs: whole JSON answers or the first stream event. */
export async function latency(endpoint: Endpoint, connections: number, seconds: number, mode: "json" | "stream"): Promise<Latency> {
  const out = await runToEnd(process.execPath, [
    join(here, "probe.mjs"), "--url", chatUrl(endpoint), "--body", requestBody(endpoint.model, mode === "stream", endpoint.surface),
    "--auth", endpoint.key, ...headerArgs(endpoint, "--header", ":"), "--connections", String(connections), "--seconds", String(seconds), "--mode", mode,
  ]);
  return JSON.parse(out) as Latency;
}
