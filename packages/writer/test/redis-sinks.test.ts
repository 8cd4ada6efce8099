import { connect, InvalidArgumentError, type SinkWriteContext } from "@polars-redis/core";
import { useRedisConnection } from "@polars-redis/testkit/vitest";
import pl from "nodejs-polars";
import { describe, expect, it } from "vitest";
import { redisHashSink, redisStreamSink } from "../src/index.js";

const redis = useRedisConnection({ connect, flushBeforeEach: true });

const context = (rowIds?: string[], attempt = 1): SinkWriteContext => ({
  signal: new AbortController().signal,
  attempt,
  ...(rowIds ? { rowIds } : {}),
});

describe("redisHashSink", () => {
  it("writes hashes, and replaying the batch leaves the same state", async () => {
    const sink = redisHashSink(redis.conn, { keyPrefix: "order:", keyColumn: "id" });
    const frame = pl.DataFrame({ id: ["1", "2"], total: ["9.5", "3"] });
    const first = await sink.write(frame, context());
    const replay = await sink.write(frame, context(undefined, 2));
    expect(first.written).toBe(2);
    expect(replay.written).toBe(2);
    expect(await redis.conn.call("HGETALL", "order:1")).toEqual(["total", "9.5"]);
    expect(await redis.conn.call("DBSIZE")).toBe(2);
    await sink.close?.();
    await sink.close?.();
    expect(await redis.conn.call("PING")).toBe("PONG");
  });
});

describe("redisStreamSink", () => {
  it("uses the source ids as entry ids, so a replayed batch adds nothing twice", async () => {
    const sink = redisStreamSink(redis.conn, { stream: "dest" });
    const frame = pl.DataFrame({ kind: ["a", "b", "c"] });
    const rowIds = ["1700000000000-0", "1700000000000-1", "1700000000005-0"];
    await sink.write(frame.head(2), context(rowIds.slice(0, 2)));
    const replay = await sink.write(frame, context(rowIds, 2));
    expect(replay.isCompleteSuccess()).toBe(true);
    const ids = ((await redis.conn.call("XRANGE", "dest", "-", "+")) as [string, string[]][]).map(
      ([id]) => id,
    );
    expect(ids).toEqual(rowIds);
  });

  it("remembers other row ids, so batches of several sources into one stream replay safely", async () => {
    const sink = redisStreamSink(redis.conn, { stream: "merged", ids: "dedupe" });
    // Two sharded sources whose ids interleave: with source ids the second batch would be out of order.
    const shardA = ["1700000000005-0", "1700000000009-0"];
    const shardB = ["1700000000001-0", "1700000000007-0"];
    await sink.write(pl.DataFrame({ v: ["a1", "a2"] }), context(shardA));
    await sink.write(pl.DataFrame({ v: ["b1", "b2"] }), context(shardB));
    const replay = await sink.write(pl.DataFrame({ v: ["b1", "b2"] }), context(shardB, 2));
    expect(replay.written).toBe(2);
    const stored = ((await redis.conn.call("XRANGE", "merged", "-", "+")) as [string, string[]][]).map(
      ([, f]) => f[1],
    );
    expect(stored).toEqual(["a1", "a2", "b1", "b2"]);
  });

  it("needs row ids (or an id column) unless told to let the server assign ids", async () => {
    const sink = redisStreamSink(redis.conn, { stream: "dest" });
    const error = await sink.write(pl.DataFrame({ v: ["x"] }), context()).catch((e: unknown) => e);
    expect(InvalidArgumentError.isInstance(error)).toBe(true);
    const auto = redisStreamSink(redis.conn, { stream: "dest", ids: "auto" });
    expect((await auto.write(pl.DataFrame({ v: ["x"] }), context())).written).toBe(1);
  });
});
