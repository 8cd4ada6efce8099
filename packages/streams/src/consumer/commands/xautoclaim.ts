import type { Command } from "@polars-redis/core";

export interface AutoClaimReply {
  /** Where the next call starts; "0-0" when the pending list was scanned to its end. */
  cursor: string;
  claimedIds: string[];
  /** Ids that were pending but deleted from the stream (Redis 7): dropped from the pending list. */
  deletedIds: string[];
}

/**
 * XAUTOCLAIM with JUSTID: `XAUTOCLAIM key group consumer min-idle-time start COUNT n JUSTID` (JUSTID: the
 * delivery counts stay as they are, so a claim is not mistaken for a failed delivery).
 */
export const XAUTOCLAIM = {
  transformArguments(
    stream: string,
    group: string,
    consumer: string,
    minIdleMs: number,
    cursor: string,
    count: number,
  ): Command {
    return ["XAUTOCLAIM", stream, group, consumer, minIdleMs, cursor, "COUNT", count, "JUSTID"];
  },

  /** `[cursor, [id...], [deleted id...]]`; Redis 6.2 has no third element. */
  transformReply(reply: unknown): AutoClaimReply {
    const [cursor, claimed, deleted] = Array.isArray(reply) ? reply : [];
    return {
      cursor: cursor === undefined || cursor === null ? "0-0" : String(cursor),
      claimedIds: Array.isArray(claimed) ? claimed.map(String) : [],
      deletedIds: Array.isArray(deleted) ? deleted.map(String) : [],
    };
  },
};
