import type { RedisConnection, RedisKeyType } from "../connection/redis-connection.js";
import { throwIfAborted } from "../errors/aborted-error.js";

export type SamplingMethod = "first" | "reservoir";

/**
 * Picks up to `size` keys of `type` matching `pattern`.
 * - "first": the first keys SCAN returns, then SCAN stops. SCAN walks the hash table's buckets, so these are
 *   spread over the keyspace regardless of key names or insertion order, but they are not a random sample.
 * - "reservoir": a uniform random sample (Algorithm R) over every matching key; SCANs the whole pattern,
 *   holding only `size` keys in memory.
 */
export async function sampleKeys(
  conn: RedisConnection,
  options: {
    pattern: string;
    type: RedisKeyType;
    size: number;
    method: SamplingMethod;
    signal?: AbortSignal | undefined;
    random?: () => number;
  },
): Promise<string[]> {
  const sample: string[] = [];
  const inSample = new Set<string>(); // SCAN may return a key twice
  if (options.size === 0) return sample;
  const random = options.random ?? Math.random;
  let seen = 0;
  const scan = conn.scanKeys({
    pattern: options.pattern,
    type: options.type,
    count: Math.max(100, Math.min(options.size, 1000)),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  for await (const page of scan) {
    throwIfAborted(options.signal);
    for (const key of page) {
      if (inSample.has(key)) continue;
      seen++;
      if (sample.length < options.size) {
        sample.push(key);
        inSample.add(key);
      } else if (options.method === "reservoir") {
        const slot = Math.floor(random() * seen);
        if (slot < options.size) {
          inSample.delete(sample[slot]!);
          sample[slot] = key;
          inSample.add(key);
        }
      }
    }
    // Leaving the loop ends the SCAN (the iterator's return() runs).
    if (options.method === "first" && sample.length >= options.size) break;
  }
  return sample;
}
