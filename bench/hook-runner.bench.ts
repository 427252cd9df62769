/**
 * What no-op plugins cost per request: the hook runner alone over 0, 1, 6 and 12 plugins, and a
 * whole in-process chat request with none and with six (bench/micro/hooks.ts).
 * Run: npm run bench:hooks
 */
import { run } from "mitata";
import { hookRunnerBenches, inProcessBenches } from "./micro/hooks.ts";

hookRunnerBenches();
const gateways = await inProcessBenches();
await run({ colors: process.stdout.isTTY === true });
for (const gateway of gateways) await gateway.close({ timeoutMs: 1000 });
