import { type Command, isCommandError, type RedisConnection } from "@polars-redis/core";
import { replyAt } from "@polars-redis/core/internal";
import type { StreamEntry } from "../frame/stream-entry.js";

export interface DeadLetterRequest {
  entry: StreamEntry;
  deliveries: number;
  reason: string;
}

export interface DeadLetterTarget {
  group: string;
  consumer: string;
  deadLetterStream: (source: string) => string;
  maxLength: number | undefined;
}

/**
 * Copies entries to their dead-letter stream with where they came from and why (one XADD each, pipelined).
 * `extraFields` (e.g. the route that failed) are added to every record. Returns the requests written.
 */
export async function writeDeadLetters(
  conn: RedisConnection,
  requests: readonly DeadLetterRequest[],
  target: DeadLetterTarget,
  extraFields: readonly string[] = [],
): Promise<DeadLetterRequest[]> {
  if (requests.length === 0) return [];
  const now = String(Date.now());
  const adds: Command[] = requests.map(({ entry, deliveries, reason }) => [
    "XADD",
    target.deadLetterStream(entry.stream),
    ...(target.maxLength === undefined ? [] : ["MAXLEN", "~", target.maxLength]),
    "*",
    ...["source_stream", entry.stream, "source_id", entry.id, "group", target.group],
    ...["consumer", target.consumer, "deliveries", deliveries, "reason", reason, "dead_lettered_at", now],
    ...extraFields,
    ...entry.fields,
  ]);
  const added = await conn.batch(adds);
  return requests.filter((_, index) => !isCommandError(replyAt(added, index)));
}

/**
 * Copies entries to their dead-letter stream, then acknowledges them in the source group. An entry is
 * acknowledged only after its copy was written, so a crash in between can at worst copy it twice (it carries
 * `source_id`, so duplicates are recognisable), never lose it. Returns the entries moved; the others stay
 * pending and are tried again later.
 */
export async function moveToDeadLetter(
  conn: RedisConnection,
  requests: readonly DeadLetterRequest[],
  target: DeadLetterTarget,
): Promise<DeadLetterRequest[]> {
  const moved = await writeDeadLetters(conn, requests, target);
  const byStream = new Map<string, string[]>();
  for (const { entry } of moved) {
    const ids = byStream.get(entry.stream) ?? [];
    ids.push(entry.id);
    byStream.set(entry.stream, ids);
  }
  const acks: Command[] = [...byStream].map(([stream, ids]) => ["XACK", stream, target.group, ...ids]);
  const acked = await conn.batch(acks);
  const failedStreams = new Set(
    [...byStream.keys()].filter((_, index) => isCommandError(replyAt(acked, index))),
  );
  return moved.filter(({ entry }) => !failedStreams.has(entry.stream));
}
