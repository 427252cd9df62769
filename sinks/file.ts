import { type FileHandle, mkdir, open, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";
import type { LogSink } from "../core/log-sink.ts";
import { toJsonLines } from "./json-lines.ts";

export interface FileRotation {
  /** Start a new file before one would grow past this size. Default 64 MiB. */
  maxBytes?: number;
  /** Start a new file once the current one is this old. Default: never by age. */
  maxAgeMs?: number;
  /** Rotated files kept (`<path>.1` is the newest); older ones are deleted. Default 5. */
  keep?: number;
}

export interface FileSinkOptions {
  /** The JSON-lines file; its directory is created. Relative paths resolve from the working directory. */
  path: string;
  /** Size and age rotation; `false` to let the file grow. Default: 64 MiB, 5 kept. */
  rotate?: FileRotation | false;
  /** Default `file`. */
  name?: string;
  /** The clock in ms (default `Date.now`), for age rotation in tests. */
  clock?: () => number;
}

const encoder = new TextEncoder();

/**
 * Records as JSON lines appended to a file, rotated by size and age (`requests.jsonl` →
 * `requests.jsonl.1` → … → `.keep`). A batch is one append, written whole to one file.
 */
export function fileSink(options: FileSinkOptions): LogSink {
  if (!options || typeof options.path !== "string" || options.path.length === 0) throw new TypeError("fileSink: options.path is required");
  const path = options.path;
  const rotate = options.rotate === false ? null : options.rotate ?? {};
  const maxBytes = rotate?.maxBytes ?? 64 * 1024 * 1024;
  const maxAgeMs = rotate?.maxAgeMs ?? Infinity;
  const keep = rotate?.keep ?? 5;
  if (rotate !== null && (!(maxBytes > 0) || !(maxAgeMs > 0) || !Number.isInteger(keep) || keep < 1)) {
    throw new TypeError("fileSink: rotate.maxBytes and rotate.maxAgeMs must be > 0 and rotate.keep an integer >= 1");
  }
  const clock = options.clock ?? Date.now;
  let handle: FileHandle | null = null;
  let size = 0;
  let openedAt = 0;
  // Writes run one after another even if a caller overlaps them, so lines never interleave.
  let tail: Promise<unknown> = Promise.resolve();

  async function openFile(): Promise<FileHandle> {
    await mkdir(dirname(path), { recursive: true });
    const file = await open(path, "a");
    const info = await file.stat();
    size = info.size;
    // An existing file keeps its age across restarts.
    openedAt = info.size > 0 ? Math.min(clock(), info.birthtimeMs > 0 ? info.birthtimeMs : info.mtimeMs) : clock();
    return file;
  }

  async function shift(): Promise<void> {
    await handle?.close();
    handle = null;
    await rm(`${path}.${keep}`, { force: true });
    for (let i = keep - 1; i >= 1; i--) {
      await rename(`${path}.${i}`, `${path}.${i + 1}`).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== "ENOENT") throw error;
      });
    }
    await rename(path, `${path}.1`).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== "ENOENT") throw error;
    });
  }

  async function append(text: string): Promise<void> {
    handle ??= await openFile();
    const bytes = encoder.encode(text);
    if (rotate !== null && size > 0 && (size + bytes.byteLength > maxBytes || clock() - openedAt >= maxAgeMs)) {
      await shift();
      handle = await openFile();
    }
    await handle.write(bytes);
    size += bytes.byteLength;
  }

  return {
    name: options.name ?? "file",
    target: path,
    write(batch, signal) {
      if (batch.length === 0) return Promise.resolve();
      const text = toJsonLines(batch);
      const run = tail.then(() => {
        if (signal.aborted) throw signal.reason;
        return append(text);
      });
      tail = run.catch(() => {});
      return run;
    },
    flush: () => tail.then(() => handle?.sync()),
    async close() {
      await tail;
      const file = handle;
      handle = null;
      await file?.close();
    },
  };
}

