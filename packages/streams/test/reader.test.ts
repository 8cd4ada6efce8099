import { connect, StreamGapError } from "@polars-redis/core";
import { waitFor } from "@polars-redis/testkit";
import { useRedisConnection } from "@polars-redis/testkit/vitest";
import pl from "nodejs-polars";
import { describe, expect, it } from "vitest";
import {
  createMemoryCheckpointStore,
  createReader,
  createRedisCheckpointStore,
  type ReaderEvent,
} from "../src/index.js";
import { fillStream } from "./fixtures/streams.js";

const redis = useRedisConnection({ connect });

describe("createReader", () => {
  it("reads every entry in order and resumes exactly after the last committed one", async () => {
    await fillStream(redis.conn, "events", 120, (i) => ({ n: i }));
    const store = createRedisCheckpointStore(redis.conn);
    const first = createReader(redis.conn, {
      stream: "events",
      checkpoint: { store, name: "etl" },
      batchSize: 25,
      blockMs: 20,
      schema: { n: pl.Int64 },
    });
    const seen: number[] = [];
    let batches = 0;
    for await (const batch of first) {
      seen.push(...(batch.frame.getColumn("n").toArray() as number[]));
      if (++batches === 3) break; // batches 1 and 2 were committed (on the next request); batch 3 was not
    }
    expect(seen).toEqual(Array.from({ length: 75 }, (_, i) => i));
    expect(await store.get("etl:events")).toBe("1-50@50");

    const second = createReader(redis.conn, {
      stream: "events",
      checkpoint: { store, name: "etl" },
      batchSize: 25,
      blockMs: 20,
    });
    const again: string[] = [];
    const run = second.run((batch) => {
      again.push(...batch.ids);
    });
    await waitFor(() => again.length === 70, { description: "the rest read", timeoutMs: 30_000 });
    second.stop();
    await run;
    // At-least-once: the uncommitted third batch is read again, nothing before it, nothing skipped.
    expect(again[0]).toBe("1-51");
    expect(again.at(-1)).toBe("1-120");
    expect(new Set(again).size).toBe(70);
    expect(await store.get("etl:events")).toBe("1-120@120");
    expect(second.stats.lag).toBe(0);
  });

  it("starts at $ with only new entries, and reads several streams with a _stream column", async () => {
    await fillStream(redis.conn, "a", 5, (i) => ({ n: i }));
    await fillStream(redis.conn, "b", 5, (i) => ({ n: i }));
    const reader = createReader(redis.conn, { streams: ["a", "b"], startId: "$", blockMs: 50 });
    const rows: string[] = [];
    const run = reader.run((batch) => {
      expect(batch.frame.columns[0]).toBe("_stream");
      const streams = batch.frame.getColumn("_stream").toArray() as string[];
      batch.ids.forEach((id, i) => {
        rows.push(`${streams[i]}/${id}`);
      });
    });
    await waitFor(() => reader.positions().b !== undefined, {
      description: "positions resolved",
      timeoutMs: 30_000,
    });
    await redis.conn.call("XADD", "a", "1-6", "n", "new");
    await redis.conn.call("XADD", "b", "1-6", "n", "new");
    await waitFor(() => rows.length === 2, { description: "two new entries", timeoutMs: 50_000 });
    reader.stop();
    await run;
    expect(rows.sort()).toEqual(["a/1-6", "b/1-6"]);
  });

  it("reports entries trimmed before it read them, once, and carries on", async () => {
    await fillStream(redis.conn, "capped", 10, (i) => ({ n: i }));
    const store = createMemoryCheckpointStore();
    const first = createReader(redis.conn, {
      stream: "capped",
      checkpoint: { store, name: "r" },
      batchSize: 4,
      blockMs: 20,
    });
    for await (const batch of first) {
      await batch.commit();
      break;
    }
    expect(await store.get("r:capped")).toBe("1-4@4");
    await fillStream(redis.conn, "capped", 10, (i) => ({ n: 10 + i }), 11);
    await redis.conn.call("XTRIM", "capped", "MAXLEN", "5"); // 1-5..1-15 gone unread

    const strict = createReader(redis.conn, {
      stream: "capped",
      checkpoint: { store, name: "r" },
      blockMs: 20,
    });
    const error = await strict.run(() => {}).catch((e: unknown) => e);
    expect(StreamGapError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ stream: "capped", lastSeenId: "1-4", firstAvailableId: "1-16" });
    expect((error as Error).message).toContain("11 entries");

    const events: ReaderEvent[] = [];
    const next = createReader(redis.conn, {
      stream: "capped",
      checkpoint: { store, name: "r" },
      blockMs: 20,
      onEvent: (event) => events.push(event),
    });
    const read: string[] = [];
    const run = next.run((batch) => {
      read.push(...batch.ids);
    });
    await waitFor(() => read.length === 5, { description: "the entries left", timeoutMs: 30_000 });
    next.stop();
    await run;
    expect(read).toEqual(["1-16", "1-17", "1-18", "1-19", "1-20"]);
    expect(events.filter((event) => event.type === "stream-gap")).toEqual([]);

    // A trim of entries already read is not a gap.
    await redis.conn.call("XTRIM", "capped", "MAXLEN", "0");
    await fillStream(redis.conn, "capped", 2, (i) => ({ n: i }), 21);
    const calm = createReader(redis.conn, {
      stream: "capped",
      checkpoint: { store, name: "r" },
      blockMs: 20,
    });
    const tail: string[] = [];
    const run2 = calm.run((batch) => {
      tail.push(...batch.ids);
    });
    await waitFor(() => tail.length === 2, { description: "the new entries", timeoutMs: 30_000 });
    calm.stop();
    await run2;
    expect(calm.stats.gaps).toBe(0);
  });

  it("treats history trimmed before a reader started at 0 as history, not a gap", async () => {
    await fillStream(redis.conn, "history", 10, (i) => ({ n: i }));
    await redis.conn.call("XTRIM", "history", "MAXLEN", "4");
    const reader = createReader(redis.conn, { stream: "history", blockMs: 20 });
    const read: string[] = [];
    const run = reader.run((batch) => {
      read.push(...batch.ids);
    });
    await waitFor(() => read.length === 4, { description: "the entries left", timeoutMs: 30_000 });
    reader.stop();
    await run;
    expect(read[0]).toBe("1-7");
    expect(reader.stats.gaps).toBe(0);
  });
});
