import type { RedisArgument, RedisConnection, RedisReply } from "@polars-redis/core";
import { throwIfAborted } from "@polars-redis/core/internal";
import { ftCall } from "./ft-call.js";

/**
 * Runs an FT.AGGREGATE that ends in WITHCURSOR COUNT `count` and reads the cursor to its end, yielding each
 * page's rows (flat [name, value, ...] arrays). The query runs once, however many pages follow (unlike LIMIT
 * offsets, which run it again per page). A cursor the caller abandons is deleted.
 */
export async function* cursorPages(
  conn: RedisConnection,
  index: string,
  args: readonly RedisArgument[],
  count: number,
  signal: AbortSignal | undefined,
): AsyncGenerator<RedisReply[][]> {
  throwIfAborted(signal);
  let reply = (await ftCall(conn, "FT.AGGREGATE", ...args)) as RedisReply[];
  let cursor = Number(reply[1]);
  try {
    for (;;) {
      const rows = (reply[0] as RedisReply[]).slice(1) as RedisReply[][];
      if (rows.length > 0) yield rows;
      if (cursor === 0) return;
      throwIfAborted(signal);
      reply = (await ftCall(
        conn,
        "FT.CURSOR",
        "READ",
        index,
        String(cursor),
        "COUNT",
        String(count),
      )) as RedisReply[];
      cursor = Number(reply[1]);
    }
  } finally {
    if (cursor !== 0) await ftCall(conn, "FT.CURSOR", "DEL", index, String(cursor)).catch(() => undefined);
  }
}
