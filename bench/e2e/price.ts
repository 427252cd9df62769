/**
 * What a request's extra work costs in throughput on this machine: the parsing floor
 * (floor-parsing-node.mjs) with a busy loop of so many µs, so many KB of short-lived garbage, or
 * so many extra `await`s per request, beside the floor and the bare and full gateways in the
 * same rounds. It turns a gateway's µs and KB per request into the ratio they cost.
 * Run: npm run bench:price [-- --variants "0/0/0,10/0/0,0/20/0,0/0/10" --seconds 5 --rounds 3]
 *        [--node-options "--max-semi-space-size=32;--max-semi-space-size=64"]
 * (each variant: busy µs / garbage KB / awaits; each --node-options entry adds the two gateways
 * again, started with that NODE_OPTIONS).
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { freePort, startServer } from "./processes.ts";
import { type Contender, sideBySide } from "./side-by-side.ts";
import { endpointFor, repoRoot, startGateway } from "./targets.ts";
import { benchLogFile } from "./log-files.ts";

const { values } = parseArgs({
  options: {
    variants: { type: "string", default: "0/0/0,10/0/0,20/0/0,40/0/0,0/20/0,0/0/10" },
    seconds: { type: "string", default: "5" },
    rounds: { type: "string", default: "3" },
    connections: { type: "string", default: "64" },
    "node-options": { type: "string", default: "" },
  },
});

const floors: Contender[] = values.variants.split(",").map((variant) => {
  const [busy = "0", garbage = "0", awaits = "0"] = variant.split("/");
  return {
    name: `parsing floor + ${busy} µs busy, ${garbage} KB garbage, ${awaits} awaits`,
    start: async (upstream) =>
      startServer(`parsing-${variant}`, process.execPath, [join(repoRoot, "bench/e2e/floor-parsing-node.mjs"), "--upstream", upstream, "--port", String(await freePort()), "--log", benchLogFile(`price-${variant.replaceAll("/", "-")}`)], {
        BENCH_BUSY_US: busy,
        BENCH_GARBAGE_KB: garbage,
        BENCH_AWAITS: awaits,
      }),
    endpoint: (url) => endpointFor("parsing-floor", url),
  };
});
const nodeOptions = ["", ...values["node-options"].split(";").filter(Boolean)];
const gateways: Contender[] = nodeOptions.flatMap((options) =>
  (["bare", "full"] as const).map((kind) => ({
    name: `${kind} gateway${options === "" ? "" : ` (${options})`}`,
    start: (upstream: string) => startGateway(repoRoot, kind, "node", upstream, join(repoRoot, "bench/e2e"), kind, [], options === "" ? {} : { NODE_OPTIONS: options }),
    endpoint: (url: string) => endpointFor(kind, url),
  })),
);

console.log("# The price of a request's extra work\n");
console.log(await sideBySide([...floors, ...gateways], { connections: Number(values.connections), seconds: Number(values.seconds), rounds: Number(values.rounds) }));
