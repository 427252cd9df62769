import type { Gateway } from "../core/gateway.ts";
import type { UpstreamClient } from "../core/upstream.ts";
import type { RunningServer, ServeOptions } from "../runtimes/serve-options.ts";
import type { LoadedConfig } from "./load-config.ts";

export const RUNTIMES = ["node", "deno", "bun"] as const;
export type RuntimeName = (typeof RUNTIMES)[number];

/** What the CLI needs from the runtime it runs on; each runtime's CLI entry supplies one. */
export interface RuntimeHost {
  readonly name: RuntimeName;
  loadConfig(path: string): Promise<LoadedConfig>;
  upstream(): UpstreamClient;
  serve(gateway: Gateway, options: ServeOptions): Promise<RunningServer>;
  /** How the gateway schedules work after a response (`GatewayOptions.afterResponse`). */
  afterResponse(task: () => void): void;
  /** Run the same command under another runtime and resolve with its exit code (the Node CLI only). */
  relaunch?(runtime: RuntimeName, argv: string[]): Promise<number>;
}
