import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";

export interface ReadyProcess {
  child: ChildProcess;
  /** The first match of `ready` in the process's output. */
  match: RegExpExecArray;
  /** Everything the process printed so far (kept to the last 64 kB). */
  output(): string;
  exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

/** Spawn a process and wait until its stdout or stderr matches `ready`. */
export function spawnReady(command: string, args: string[], ready: RegExp, options: SpawnOptions & { timeoutMs?: number } = {}): Promise<ReadyProcess> {
  const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const onData = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-65_536);
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  const stop = async (graceMs = 15_000): Promise<number | null> => {
    if (child.exitCode !== null || child.signalCode !== null) return exited;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop(1000);
      reject(new Error(`${args.join(" ")} did not get ready:\n${output}`));
    }, options.timeoutMs ?? 60_000);
    const check = (): void => {
      const match = ready.exec(output);
      if (match === null) return;
      clearTimeout(timer);
      child.stdout!.off("data", check);
      child.stderr!.off("data", check);
      resolve({ child, match, output: () => output, exited, stop });
    };
    child.stdout!.on("data", check);
    child.stderr!.on("data", check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${args.join(" ")} exited with ${code} before it was ready:\n${output}`));
    });
  });
}
