import { sha256Hex } from "./secret.ts";

/** Enough for every key a busy gateway sees at once; past it the memo starts over. */
const DEFAULT_MAX_KEYS = 10_000;

/**
 * The SHA-256 of presented keys, remembered for keys that turned out to be known. Hashing is a
 * pure function, so a remembered hash is never stale: the key table is still consulted on every
 * request, and a key disabled, expired or deleted since is refused as before. Only keys whose hash
 * was found in the table are remembered, so random keys cannot fill it (each still pays for its
 * hash). Remembered keys sit in this process's memory, as the request that carried them did.
 */
export class KeyHashMemo {
  private readonly hashes = new Map<string, string>();

  constructor(private readonly maxKeys: number = DEFAULT_MAX_KEYS) {}

  /** The hash of `key`: remembered, or computed (and remembered when `known` says the table has it). */
  hashOf(key: string, known: (hash: string) => boolean): string {
    const remembered = this.hashes.get(key);
    if (remembered !== undefined) return remembered;
    const hash = sha256Hex(key);
    if (known(hash)) {
      if (this.hashes.size >= this.maxKeys) this.hashes.clear();
      this.hashes.set(key, hash);
    }
    return hash;
  }

  get size(): number {
    return this.hashes.size;
  }
}
