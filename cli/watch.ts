import { type FSWatcher, watch } from "node:fs";
import { basename, dirname, join } from "node:path";

/** A burst of events (an editor writes, renames, touches) becomes one change after this quiet time. */
const SETTLE_MS = 150;

export interface FileWatcher {
  /** Watch these files from now on (a reload may import others). */
  update(files: readonly string[]): void;
  close(): void;
}

/**
 * Call `onChange` when any of `files` changes. Directories are watched rather than files, so a
 * file an editor replaces (write to a temporary file, rename over) is still seen. `node:fs`
 * watching works on Node, Deno and Bun.
 */
export function watchFiles(files: readonly string[], onChange: () => void): FileWatcher {
  const watchers = new Map<string, FSWatcher>();
  let wanted = new Set<string>();
  let timer: ReturnType<typeof setTimeout> | null = null;

  const changed = (): void => {
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      onChange();
    }, SETTLE_MS);
  };

  function update(next: readonly string[]): void {
    wanted = new Set(next);
    const dirs = new Set(next.map((file) => dirname(file)));
    for (const [dir, watcher] of watchers) {
      if (dirs.has(dir)) continue;
      watcher.close();
      watchers.delete(dir);
    }
    for (const dir of dirs) {
      if (watchers.has(dir)) continue;
      try {
        const watcher = watch(dir, (_event, name) => {
          // Some platforms leave the name out; then any change in the directory counts.
          if (name === null || name === undefined || wanted.has(join(dir, basename(String(name))))) changed();
        });
        watcher.on("error", () => {});
        watchers.set(dir, watcher);
      } catch (error) {
        console.error(`switchyard: --watch cannot watch ${dir}: ${(error as Error).message}`);
      }
    }
  }

  update(files);
  return {
    update,
    close() {
      if (timer !== null) clearTimeout(timer);
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
    },
  };
}
