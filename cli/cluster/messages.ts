import type { ConfigStatus, ReloadResult } from "../../core/server-control.ts";

/** The counter store operations a worker asks the primary to run on the memory store it holds. */
export type StoreOp =
  | { readonly op: "consume"; readonly key: string; readonly limit: number; readonly windowMs: number; readonly cost: number }
  | { readonly op: "adjust"; readonly key: string; readonly limit: number; readonly windowMs: number; readonly delta: number }
  | { readonly op: "increment"; readonly key: string; readonly amount: number; readonly ttlMs?: number }
  | { readonly op: "get"; readonly key: string }
  | { readonly op: "acquire"; readonly key: string; readonly id: string; readonly limit: number; readonly leaseMs: number }
  | { readonly op: "release"; readonly key: string; readonly id: string };

/** What workers tell the primary. Every message carries `sy` so other IPC traffic is left alone. */
export type WorkerMessage =
  | { readonly sy: "listening"; readonly port: number; readonly url: string; readonly summary: string; readonly notice: string | null; readonly source: string; readonly inputs: readonly string[] }
  | { readonly sy: "inputs"; readonly inputs: readonly string[] }
  | { readonly sy: "reload-request"; readonly id: number }
  | { readonly sy: "reloaded"; readonly id: number; readonly result: ReloadResult }
  | { readonly sy: "metrics-request"; readonly id: number; readonly path: string; readonly headers: [string, string][] }
  | { readonly sy: "metrics"; readonly id: number; readonly status: number; readonly contentType: string; readonly body: string }
  | { readonly sy: "store"; readonly maxKeys: number; readonly batch: readonly (readonly [id: number, op: StoreOp])[] };

/** What the primary tells workers. */
export type PrimaryMessage =
  | { readonly sy: "reload"; readonly id: number; readonly version: number }
  | { readonly sy: "reload-result"; readonly id: number; readonly result: ReloadResult }
  | { readonly sy: "status"; readonly status: ConfigStatus }
  | { readonly sy: "shutdown" }
  | { readonly sy: "metrics-request"; readonly id: number; readonly path: string; readonly headers: [string, string][] }
  | { readonly sy: "metrics-result"; readonly id: number; readonly status: number; readonly contentType: string; readonly body: string }
  | { readonly sy: "store-result"; readonly results: readonly (readonly [id: number, ok: boolean, value: unknown])[] };

/** Set in a worker's environment: its number, from 1. */
export const WORKER_ENV = "SWITCHYARD_WORKER";
/** The port every worker listens on once the first one picked it (for `--port 0`). */
export const WORKER_PORT_ENV = "SWITCHYARD_WORKER_PORT";
/** The config version a worker starts at (a replacement joins at the server's). */
export const WORKER_VERSION_ENV = "SWITCHYARD_WORKER_VERSION";
export const WORKERS_ENV = "SWITCHYARD_WORKERS";

export function isSwitchyardMessage(message: unknown): message is { sy: string } {
  return typeof message === "object" && message !== null && typeof (message as { sy?: unknown }).sy === "string";
}
