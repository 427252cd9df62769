/**
 * A handful of Node servers measured side by side against the pass-through floor, at one
 * concurrency, interleaved rounds (rounds.ts): the shared body of the bench's what-costs-what
 * experiments (price.ts, plugin-cost.ts). Prints a table of req/s, ratio to the floor, CPU time
 * per request and RSS, medians of the rounds.
 */
import type { Endpoint } from "./load.ts";
import { isRunning, type RunningServer, type Unavailable } from "./processes.ts";
import { serverPids } from "./process-stats.ts";
import { type Column, runRounds } from "./rounds.ts";
import { endpointFor, startFloor, startMock } from "./targets.ts";

export interface Contender {
  readonly name: string;
  start(upstream: string): Promise<RunningServer | Unavailable>;
  endpoint(url: string): Endpoint;
}

export interface SideBySideOptions {
  connections: number;
  seconds: number;
  rounds: number;
}

export async function sideBySide(contenders: readonly Contender[], options: SideBySideOptions): Promise<string> {
  const say = (line: string): void => void process.stderr.write(`${line}\n`);
  const mock = await startMock(0);
  if (!isRunning(mock)) throw new Error(`mock upstream did not start: ${mock.unavailable}`);
  const servers: RunningServer[] = [];
  try {
    const floor = await startFloor("node", mock.url);
    if (!isRunning(floor)) throw new Error(`floor did not start: ${floor.unavailable}`);
    servers.push(floor);
    const columns: Column[] = [{ name: "floor", endpoint: endpointFor("floor", floor.url), pids: serverPids(floor.url) }];
    for (const contender of contenders) {
      const server = await contender.start(mock.url);
      if (!isRunning(server)) throw new Error(`${contender.name} did not start: ${server.unavailable}`);
      servers.push(server);
      columns.push({ name: contender.name, endpoint: contender.endpoint(server.url), pids: serverPids(server.url) });
    }
    const n = options.connections;
    const cells = await runRounds(columns, { connections: [n], seconds: options.seconds, rounds: options.rounds, referenceOf: (name) => (name === "floor" ? undefined : "floor"), say });
    const rows = columns.map((c) => {
      const cell = cells.get(c.name)!.get(n)!;
      const cpu = cell.cpuPerRequest === null ? "n/a" : cell.cpuPerRequest.toFixed(0);
      const rss = cell.rss === null ? "n/a" : (cell.rss / 1048576).toFixed(0);
      return `| ${c.name} | ${cell.rps.toFixed(0)} | ${cell.ratio === null ? "1.00" : cell.ratio.toFixed(2)}× | ${cpu} | ${rss} |`;
    });
    return [`${n} connections, ${options.seconds} s × ${options.rounds} rounds, medians`, "", "| server | req/s | / floor | CPU µs/req | RSS MB |", "| --- | ---: | ---: | ---: | ---: |", ...rows].join("\n");
  } finally {
    for (const server of servers) await server.stop();
    await mock.stop();
  }
}
