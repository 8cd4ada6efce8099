import type { Command } from "@polars-redis/core";
import { parseEntries, type StreamEntry } from "../../frame/stream-entry.js";

/**
 * XCLAIM: `XCLAIM key group consumer min-idle-time id... [JUSTID]`. With JUSTID the reply is ids only and the
 * delivery count is left alone (a heartbeat, a claim that must not count as a delivery); without, the reply is
 * the entries (deleted ones are left out: Redis 7 also drops them from the pending list).
 */
export const XCLAIM = {
  transformArguments(
    stream: string,
    group: string,
    consumer: string,
    minIdleMs: number,
    ids: readonly string[],
    options: { justId?: boolean } = {},
  ): Command {
    return [
      "XCLAIM",
      stream,
      group,
      consumer,
      Math.max(0, Math.floor(minIdleMs)),
      ...ids,
      ...(options.justId ? ["JUSTID"] : []),
    ];
  },

  /** The claimed entries, with their fields. */
  transformReply(stream: string, reply: unknown): StreamEntry[] {
    return parseEntries(stream, reply).entries;
  },

  /** The claimed ids (JUSTID). */
  transformJustIdReply(reply: unknown): string[] {
    return Array.isArray(reply) ? reply.map(String) : [];
  },
};

/** Ids asked for that a reply did not return (claimed by someone else meanwhile, or deleted). */
export function missingIds(asked: readonly string[], returned: readonly { id: string }[]): string[] {
  if (returned.length === asked.length) return [];
  const got = new Set(returned.map((entry) => entry.id));
  return asked.filter((id) => !got.has(id));
}
