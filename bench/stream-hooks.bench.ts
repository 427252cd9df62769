/**
 * What stream hooks cost per chunk and per streamed request (bench/micro/stream-hooks.ts), with
 * the guard plugin's output check beside a no-op hook.
 * Run: npm run bench:stream-hooks
 */
import { run } from "mitata";
import { streamedRequestBenches, streamRelayBenches } from "./micro/stream-hooks.ts";

streamRelayBenches();
const gateways = await streamedRequestBenches();
await run({ colors: process.stdout.isTTY === true });
for (const gateway of gateways) await gateway.close({ timeoutMs: 1000 });
