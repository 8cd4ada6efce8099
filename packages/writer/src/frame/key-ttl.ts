import { InvalidArgumentError } from "@polars-redis/core";

/** The TTL of a key written from several rows; the rows must agree on it. */
export function consistentTtl(key: string, rows: readonly number[], ttlOf: (row: number) => number): number {
  const ttl = ttlOf(rows[0]!);
  for (const row of rows) {
    if (ttlOf(row) !== ttl) {
      throw new InvalidArgumentError(
        "ttlColumn",
        `rows of key ${JSON.stringify(key)} disagree on its TTL (${ttl} ms vs ${ttlOf(row)} ms)`,
      );
    }
  }
  return ttl;
}
