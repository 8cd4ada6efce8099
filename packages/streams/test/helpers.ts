import type { RedisConnection } from "@polars-redis/core";
import { waitFor as testkitWaitFor } from "@polars-redis/testkit";

/** testkit's waitFor, in the (probe, message, timeoutMs) form these tests use. */
export async function waitFor(
  probe: () => Promise<boolean> | boolean,
  message: string,
  timeoutMs = 30_000,
): Promise<void> {
  await testkitWaitFor(probe, { description: message, timeoutMs, intervalMs: 20 });
}

/**
 * Appends `count` entries with explicit ids `1-1`, `1-2`, ... (offset by `firstSeq`) and fields from `fields(i)`,
 * in pipelines. Explicit ids make every test's expected ids known in advance.
 */
export async function fillStream(
  conn: RedisConnection,
  stream: string,
  count: number,
  fields: (i: number) => Record<string, string | number>,
  firstSeq = 1,
): Promise<string[]> {
  const ids: string[] = [];
  const commands: [string, ...(string | number)[]][] = [];
  for (let i = 0; i < count; i++) {
    const id = `1-${firstSeq + i}`;
    ids.push(id);
    commands.push(["XADD", stream, id, ...Object.entries(fields(i)).flat()]);
  }
  const replies = await conn.batch(commands, { chunkSize: 2000 });
  const failed = replies.find((reply) => reply instanceof Error);
  if (failed) throw failed;
  return ids;
}

/** All ids in a stream (XRANGE paged). */
export async function streamIds(conn: RedisConnection, stream: string): Promise<string[]> {
  const ids: string[] = [];
  let start = "-";
  for (;;) {
    const page = (await conn.call("XRANGE", stream, start, "+", "COUNT", 5000)) as [string, string[]][];
    for (const [id] of page) ids.push(id);
    if (page.length < 5000) return ids;
    start = `(${page[page.length - 1]![0]}`;
  }
}
