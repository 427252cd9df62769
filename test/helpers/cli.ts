import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const BIN = join(ROOT, "bin", "switchyard.mjs");

export interface RunningGateway {
  url: string;
  child: ChildProcess;
  output: () => string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** `source` as `switchyard.config.ts` in a new temporary folder named after `prefix`; returns the file's path. */
export function writeConfigFile(prefix: string, source: string): string {
  const path = join(mkdtempSync(join(tmpdir(), prefix)), "switchyard.config.ts");
  writeFileSync(path, source);
  return path;
}

export type Runtime = "node" | "deno" | "bun";
export const RUNTIMES: Runtime[] = ["node", "deno", "bun"];

/** Start `switchyard start …` (on `runtime`, through the Node CLI) and wait for its "listening on" line. */
export function startCli(args: string[], options: { cwd?: string; env?: Record<string, string>; runtime?: Runtime; bin?: string } = {}): Promise<RunningGateway> {
  const runtimeArgs = options.runtime === undefined ? [] : ["--runtime", options.runtime];
  const child = spawn(process.execPath, [options.bin ?? BIN, "start", "--port", "0", ...runtimeArgs, ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not start:\n${output}`)), 30_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({
          url: match[1],
          child,
          output: () => output,
          exited,
          stop(signal = "SIGTERM") {
            if (child.exitCode === null) child.kill(signal);
            return exited;
          },
        });
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited with ${code}:\n${output}`));
    });
  });
}

/** Run a CLI command to completion (`launcher`: run bin/switchyard.mjs with that command instead of this Node). */
export function runCli(
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; launcher?: string[] } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const [file, ...before] = options.launcher ?? [process.execPath];
  return new Promise((resolve) => {
    const child = spawn(file, [...before, BIN, ...args], { cwd: options.cwd ?? ROOT, env: { ...process.env, ...options.env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    child.once("exit", (code) => resolve({ code, stdout, stderr }));
  });
}
