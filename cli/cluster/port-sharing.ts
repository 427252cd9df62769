import { platform } from "node:os";
import type { RuntimeHost } from "../host.ts";

/**
 * How the workers of `--workers N` share one port. "primary": the cluster primary holds the
 * listening socket and hands each connection to a worker over the cluster channel (Node).
 * "reuse-port": each worker binds the port itself with SO_REUSEPORT and the kernel spreads the
 * connections (Linux). Bun's cluster works that way of itself. Deno's hand-over (2.9) can lose a
 * connection's socket when other messages cross the channel at the same moment, as the memory
 * store's answers do on every request; that worker then never acknowledges it, and every later
 * connection and message the primary has for it waits forever. So on Linux, Deno's workers bind too.
 */
export type PortSharing = "primary" | "reuse-port";

export function portSharing(host: RuntimeHost): PortSharing {
  if (host.name === "bun") return "reuse-port";
  if (host.name === "deno" && platform() === "linux") return "reuse-port";
  return "primary";
}
