/**
 * Re-draw the report charts from the JSON already in bench/results/: each soak report's memory
 * and latency charts, and throughput by concurrency from the end-to-end bench when it has run.
 * Run: npm run bench:charts
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { soakCharts, soakMarkdown, type SoakReport } from "./soak-report.ts";
import { throughputChart } from "./throughput.ts";

const results = join(dirname(fileURLToPath(import.meta.url)), "..", "results");

for (const file of readdirSync(results).filter((f) => /^soak.*\.json$/.test(f))) {
  const prefix = file.replace(/\.json$/, "");
  const report = JSON.parse(readFileSync(join(results, file), "utf8")) as SoakReport;
  const names = { memory: `${prefix}-memory.svg`, latency: `${prefix}-latency.svg` };
  const charts = soakCharts(report);
  writeFileSync(join(results, names.memory), charts.memory);
  writeFileSync(join(results, names.latency), charts.latency);
  writeFileSync(join(results, `${prefix}.md`), soakMarkdown(report, names));
  console.log(`charts: ${names.memory}, ${names.latency}, ${prefix}.md`);
}

const e2e = join(results, "e2e-latest.json");
const chart = existsSync(e2e) ? throughputChart(JSON.parse(readFileSync(e2e, "utf8"))) : null;
if (chart !== null) {
  writeFileSync(join(results, "throughput.svg"), chart);
  console.log("charts: throughput.svg");
} else {
  console.log(`charts: no end-to-end results with throughput in ${e2e} (run npm run bench first)`);
}
