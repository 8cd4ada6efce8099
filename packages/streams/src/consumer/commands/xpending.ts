import type { Command } from "@polars-redis/core";

/** One row of the extended form of XPENDING. */
export interface PendingInfo {
  id: string;
  consumer: string;
  idleMs: number;
  /** Times the entry was delivered (this consumer's XCLAIMs included). */
  deliveries: number;
}

/**
 * XPENDING, extended form: `XPENDING key group [IDLE ms] start end count [consumer]`. Arguments and reply as a
 * small record (node-redis's transformArguments / transformReply shape), so both are tested without a server.
 */
export const XPENDING = {
  transformArguments(
    stream: string,
    group: string,
    range: { start: string; end: string; count: number; consumer?: string; minIdleMs?: number },
  ): Command {
    return [
      "XPENDING",
      stream,
      group,
      ...(range.minIdleMs === undefined ? [] : ["IDLE", range.minIdleMs]),
      range.start,
      range.end,
      range.count,
      ...(range.consumer === undefined ? [] : [range.consumer]),
    ];
  },

  /** `[[id, consumer, idle, deliveries], ...]`; anything else (nil for a missing key) is no rows. */
  transformReply(reply: unknown): PendingInfo[] {
    if (!Array.isArray(reply)) return [];
    return reply.map((row) => {
      const [id, consumer, idle, deliveries] = row as [unknown, unknown, unknown, unknown];
      return {
        id: String(id),
        consumer: String(consumer),
        idleMs: Number(idle),
        deliveries: Number(deliveries),
      };
    });
  },
};

/** The exclusive start of the page after `lastId` (`(id`), or the whole range ("-"). */
export function pageAfter(lastId: string | undefined): string {
  return lastId === undefined ? "-" : `(${lastId}`;
}
