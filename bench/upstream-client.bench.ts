/**
 * Which upstream client the runtime running this file should use: the web `fetch` it has built in
 * (`fetchUpstream`) or undici's pooled `Agent.request` (`nodeUpstream`, through npm compatibility on
 * Deno and Bun). Both keep connections alive. It sends POSTs with a chat body to the upstream URL
 * given (a fixed-answer server in another process), `concurrency` at a time, reading every body,
 * for `seconds` per client per round; clients alternate in rounds so drift hits both alike.
 * Prints one JSON line per round and client. Started per runtime by bench/upstream-clients.ts.
 */
import { fetchUpstream, type UpstreamClient } from "../core/upstream.ts";

const [url, secondsText = "3", roundsText = "3", concurrencyText = "16"] = process.argv.slice(2);
const seconds = Number(secondsText);
const rounds = Number(roundsText);
const concurrency = Number(concurrencyText);
const body = JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Hello, how are you today?" }] });
const headers = { "content-type": "application/json", authorization: "Bearer sk-bench" };

async function clients(): Promise<Record<string, UpstreamClient>> {
  const found: Record<string, UpstreamClient> = { fetch: fetchUpstream() };
  try {
    const { nodeUpstream } = await import("../runtimes/node-upstream.ts");
    const undici = nodeUpstream();
    // Bun answers `import "undici"` with its own partial shim: probe before measuring.
    await (await undici.request({ url, method: "POST", headers, body, signal: new AbortController().signal })).text();
    found["undici Agent"] = undici;
  } catch (error) {
    console.log(JSON.stringify({ client: "undici Agent", unavailable: (error as Error).message }));
  }
  return found;
}

async function drive(client: UpstreamClient): Promise<number> {
  const until = Date.now() + seconds * 1000;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (Date.now() < until) {
      const response = await client.request({ url, method: "POST", headers, body, signal: new AbortController().signal });
      if (response.status !== 200) throw new Error(`upstream answered ${response.status}`);
      await response.text();
      done++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return done / seconds;
}

const runtime = "Deno" in globalThis ? "deno" : "Bun" in globalThis ? "bun" : "node";
const all = await clients();
// Warm-up: connections opened, code compiled.
for (const client of Object.values(all)) await drive(client);
for (let round = 1; round <= rounds; round++) {
  for (const [name, client] of Object.entries(all)) {
    console.log(JSON.stringify({ runtime, round, client: name, rps: Math.round(await drive(client)) }));
  }
}
for (const client of Object.values(all)) await client.close?.();
