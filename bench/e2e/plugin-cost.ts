/**
 * What each built-in plugin of the full chain costs end to end on Node: one gateway per plugin
 * set (bench/e2e/config-plugins.ts), each beside the pass-through floor in the same rounds.
 * Run: npm run bench:plugins [-- --sets "none;auth;log" --log-sink file|discard --seconds 4 --rounds 3]
 * (sets: plugin names joined by commas, sets by semicolons; default every plugin alone, then all).
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { freePort, startServer } from "./processes.ts";
import { type Contender, sideBySide } from "./side-by-side.ts";
import { BENCH_KEY, repoRoot } from "./targets.ts";
import { benchLogFile } from "./log-files.ts";

const ALL = "auth,rateLimit,route,fallback,cost,log";
const { values } = parseArgs({
  options: {
    sets: { type: "string", default: `none;auth;rateLimit;route;fallback;cost;log;${ALL}` },
    "log-sink": { type: "string", default: "file" },
    seconds: { type: "string", default: "4" },
    rounds: { type: "string", default: "3" },
    connections: { type: "string", default: "64" },
  },
});

const seen = new Map<string, number>();
/** A set's column name; a set named again (to see the run's noise) gets its repeat number. */
function columnName(set: string): string {
  const label = set === "none" ? "no plugins" : set === ALL ? "full chain" : set;
  const times = (seen.get(label) ?? 0) + 1;
  seen.set(label, times);
  return times === 1 ? label : `${label} (${times})`;
}

const contenders: Contender[] = values.sets.split(";").map((set, index) => ({
  name: columnName(set),
  start: async (upstream) =>
    startServer(set, process.execPath, [join(repoRoot, "bin/switchyard.mjs"), "start", "--config", join(repoRoot, "bench/e2e/config-plugins.ts"), "--port", String(await freePort())], {
      BENCH_PLUGINS: set === "none" ? "" : set,
      BENCH_LOG_SINK: values["log-sink"],
      BENCH_UPSTREAM_URL: upstream,
      BENCH_LOG_FILE: benchLogFile(`plugins-${index}`),
    }),
  endpoint: (url) => ({ url, model: "upstream/bench-model", key: BENCH_KEY }),
}));

console.log(`# Plugin cost (log sink: ${values["log-sink"]})\n`);
console.log(await sideBySide(contenders, { connections: Number(values.connections), seconds: Number(values.seconds), rounds: Number(values.rounds) }));
