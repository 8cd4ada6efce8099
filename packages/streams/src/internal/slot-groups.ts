import type { RedisConnection } from "@polars-redis/core";
import { keySlot } from "@polars-redis/core/internal";

/**
 * Streams grouped so each group can be read by one multi-key command: all of them on a single server, one
 * group per hash slot on a cluster (keys of one command must share a slot there).
 */
export function groupBySlot(conn: RedisConnection, streams: readonly string[]): string[][] {
  if (conn.kind !== "cluster") return [[...streams]];
  const bySlot = new Map<number, string[]>();
  for (const stream of streams) {
    const slot = keySlot(stream);
    bySlot.set(slot, [...(bySlot.get(slot) ?? []), stream]);
  }
  return [...bySlot.values()];
}
