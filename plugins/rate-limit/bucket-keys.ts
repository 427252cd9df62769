/** The store keys of one bucket's three limits. */
export interface BucketKeys {
  readonly requests: string;
  readonly tokens: string;
  readonly concurrent: string;
}

const DEFAULT_MAX_BUCKETS = 10_000;

/**
 * The store keys per bucket, made once and handed out again: a key built by concatenation on each
 * request is a new string the store's Map must flatten and hash again, three times a request.
 * Bounded: past `maxBuckets` buckets the table starts over.
 */
export function bucketKeys(prefix: string, maxBuckets = DEFAULT_MAX_BUCKETS): (bucket: string) => BucketKeys {
  const made = new Map<string, BucketKeys>();
  return (bucket) => {
    let keys = made.get(bucket);
    if (keys === undefined) {
      const base = `${prefix}:${bucket}`;
      keys = { requests: `${base}:r`, tokens: `${base}:t`, concurrent: `${base}:c` };
      if (made.size >= maxBuckets) made.clear();
      made.set(bucket, keys);
    }
    return keys;
  };
}
