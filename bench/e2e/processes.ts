import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";

const START_TIMEOUT_MS = 60_000;

/** A server under test, in its own process. */
export interface RunningServer {
  readonly name: string;
  readonly url: string;
  /** What it wrote to stderr before it listened (the bench config says whether logging is on). */
  readonly startupLog: string;
  stop(): Promise<void>;
}

/** A server that could not start: its runtime is missing or the CLI refused its flags. */
export interface Unavailable {
  readonly name: string;
  readonly unavailable: string;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

function stopper(child: ChildProcess): () => Promise<void> {
  return async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, "exit");
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    await exited;
    clearTimeout(timer);
  };
}

/**
 * Spawn a server and wait for its "listening on http://HOST:PORT" line (what the CLI, the floors
 * and the mock all print). A process that exits first is reported with its last stderr line.
 */
export function startServer(name: string, command: string, args: readonly string[], env: Record<string, string> = {}): Promise<RunningServer | Unavailable> {
  return new Promise((resolve, reject) => {
    let child: ChildProcess;
    try {
      child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
    } catch (error) {
      resolve({ name, unavailable: (error as Error).message });
      return;
    }
    let out = "";
    let err = "";
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      child.kill("SIGKILL");
      reject(new Error(`${name} did not start within ${START_TIMEOUT_MS} ms: ${err.trim()}`));
    }, START_TIMEOUT_MS);
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
      const match = /listening on (http:\/\/[^\s]+)/.exec(out);
      if (match && !settled) {
        settled = true;
        clearTimeout(timer);
        resolve({ name, url: match[1], startupLog: err, stop: stopper(child) });
      }
    });
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
      err += chunk;
      if (settled) process.stderr.write(`[${name}] ${chunk}`);
    });
    const gone = (why: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const last = err.trim().split("\n").filter(Boolean).pop();
      resolve({ name, unavailable: last ?? why });
    };
    child.once("error", (error) => gone(error.message));
    child.once("exit", (code, signal) => gone(`exited with ${code ?? signal} before listening`));
  });
}

export function isRunning(server: RunningServer | Unavailable): server is RunningServer {
  return "url" in server;
}

/** Run a command to completion and return its stdout (stderr passes through on failure). */
export async function runToEnd(command: string, args: readonly string[]): Promise<string> {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout!.setEncoding("utf8").on("data", (c: string) => (out += c));
  child.stderr!.setEncoding("utf8").on("data", (c: string) => (err += c));
  const [code] = (await once(child, "exit")) as [number | null];
  if (code !== 0) throw new Error(`${command} ${args.join(" ")} failed (${code}): ${err.trim()}`);
  return out;
}
