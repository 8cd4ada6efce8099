import { connect, InvalidArgumentError, type RedisCommandError } from "@polars-redis/core";
import { useRedisConnection } from "@polars-redis/testkit/vitest";
import pl from "nodejs-polars";
import { describe, expect, it } from "vitest";
import { writeStreams } from "../src/index.js";

const redis = useRedisConnection({ connect, flushBeforeEach: true });

type Entry = [string, string[]];
const entries = async (key: string): Promise<Entry[]> =>
  (await redis.conn.call("XRANGE", key, "-", "+")) as Entry[];

describe("writeStreams", () => {
  it("adds entries with explicit ids in id order, fields without nulls", async () => {
    const frame = pl.DataFrame({
      _key: ["s", "s", "t"],
      id: ["5-1", "5-0", "1-0"],
      kind: ["b", "a", "x"],
      n: [null, "1", "2"],
    });
    const result = await writeStreams(redis.conn, frame, { idColumn: "id" });
    expect(result.written).toBe(2);
    expect(await entries("s")).toEqual([
      ["5-0", ["kind", "a", "n", "1"]],
      ["5-1", ["kind", "b"]],
    ]);
    expect(await entries("t")).toEqual([["1-0", ["kind", "x", "n", "2"]]]);
  });

  it("detects a replay by id: nothing is added twice, and the replay counts as written", async () => {
    const frame = pl.DataFrame({ id: ["1-0", "2-0", "3-0"], v: ["a", "b", "c"] });
    await writeStreams(redis.conn, frame.head(2), { stream: "ev", idColumn: "id" });
    const replay = await writeStreams(redis.conn, frame, { stream: "ev", idColumn: "id" });
    expect(replay.isCompleteSuccess()).toBe(true);
    expect(replay.written).toBe(1);
    expect((await entries("ev")).map(([id]) => id)).toEqual(["1-0", "2-0", "3-0"]);
  });

  it("reports an id below the stream's last id that is not in it as an error, never drops it silently", async () => {
    await redis.conn.call("XADD", "ev", "10-0", "v", "x");
    const result = await writeStreams(redis.conn, pl.DataFrame({ v: ["late"] }), {
      stream: "ev",
      ids: ["4-0"],
    });
    expect(result.failedKeys()).toEqual(["ev"]);
    expect(result.errors.get("ev")!.message).toContain("out of order");
    expect(await redis.conn.call("XLEN", "ev")).toBe(1);
  });

  it("lets the server assign ids when none are given, and trims with MAXLEN", async () => {
    const frame = pl.DataFrame({ v: Array.from({ length: 50 }, (_, i) => `e${i}`) });
    const result = await writeStreams(redis.conn, frame, { stream: "auto", maxLen: 10, exactTrim: true });
    expect(result.written).toBe(1);
    const kept = await entries("auto");
    expect(kept.length).toBe(10);
    expect(kept.at(-1)![1]).toEqual(["v", "e49"]);
  });

  it("trims by MINID as entries are added", async () => {
    const frame = pl.DataFrame({ id: ["1-0", "2-0", "3-0", "4-0"], v: ["a", "b", "c", "d"] });
    await writeStreams(redis.conn, frame, { stream: "minid", idColumn: "id" });
    await writeStreams(redis.conn, pl.DataFrame({ id: ["5-0"], v: ["e"] }), {
      stream: "minid",
      idColumn: "id",
      minId: "3-0",
      exactTrim: true,
    });
    expect((await entries("minid")).map(([id]) => id)).toEqual(["3-0", "4-0", "5-0"]);
  });

  it("replace rebuilds a stream atomically, also when it needs several calls; fail skips existing streams", async () => {
    await redis.conn.call("XADD", "big", "1-0", "old", "1");
    const count = 5000;
    const frame = pl.DataFrame({
      id: Array.from({ length: count }, (_, i) => `${i + 100}-0`),
      a: Array.from({ length: count }, (_, i) => `a${i}`),
      b: Array.from({ length: count }, (_, i) => `b${i}`),
    });
    const result = await writeStreams(redis.conn, frame, {
      stream: "big",
      idColumn: "id",
      ifExists: "replace",
      ttl: 600,
    });
    expect(result.written).toBe(1);
    expect(await redis.conn.call("XLEN", "big")).toBe(count);
    expect((await entries("big"))[0]![0]).toBe("100-0");
    expect(await redis.conn.call("TTL", "big")).toBeGreaterThan(0);
    expect(await redis.conn.call("KEYS", "*staging*")).toEqual([]);

    const skipped = await writeStreams(redis.conn, frame.head(1), {
      stream: "big",
      idColumn: "id",
      ifExists: "fail",
    });
    expect(skipped.skippedKeys).toEqual(["big"]);
  });

  it("remembers row ids: replays add nothing, interleaved sources all land, old ids age out", async () => {
    const options = { stream: "fanin", dedupeWindowMs: 60_000 };
    await writeStreams(redis.conn, pl.DataFrame({ v: ["a", "b"] }), {
      ...options,
      rowIds: ["s1:9", "s1:10"],
    });
    await writeStreams(redis.conn, pl.DataFrame({ v: ["c"] }), { ...options, rowIds: ["s2:1"] });
    const replay = await writeStreams(redis.conn, pl.DataFrame({ v: ["a", "b", "d"] }), {
      ...options,
      rowIds: ["s1:9", "s1:10", "s1:11"],
    });
    expect(replay.isCompleteSuccess()).toBe(true);
    expect((await entries("fanin")).map(([, fields]) => fields[1])).toEqual(["a", "b", "c", "d"]);
    const seen = "{fanin}:polars-redis:seen:fanin";
    expect(await redis.conn.call("ZCARD", seen)).toBe(4);
    const ttl = (await redis.conn.call("PTTL", seen)) as number;
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
    // A row id seen longer ago than the window is forgotten (here: scored an hour ago).
    await redis.conn.call("ZADD", seen, Date.now() - 3_600_000, "s0:old");
    await writeStreams(redis.conn, pl.DataFrame({ v: ["e"] }), { ...options, rowIds: ["s2:2"] });
    expect(await redis.conn.call("ZSCORE", seen, "s0:old")).toBeNull();
  });

  it("forgets a row id whose entry could not be added, so a retry adds it", async () => {
    await redis.conn.call("SET", "wrong", "x");
    const first = await writeStreams(redis.conn, pl.DataFrame({ v: ["a"] }), {
      stream: "wrong",
      rowIds: ["r1"],
    });
    expect((first.errors.get("wrong") as RedisCommandError).redisCode).toBe("WRONGTYPE");
    await redis.conn.call("DEL", "wrong");
    const retry = await writeStreams(redis.conn, pl.DataFrame({ v: ["a"] }), {
      stream: "wrong",
      rowIds: ["r1"],
    });
    expect(retry.written).toBe(1);
    expect(await redis.conn.call("XLEN", "wrong")).toBe(1);
  });

  it("reports WRONGTYPE per stream key", async () => {
    await redis.conn.call("SET", "str", "x");
    const frame = pl.DataFrame({ _key: ["str", "ok"], v: ["1", "2"] });
    const result = await writeStreams(redis.conn, frame);
    expect(result.written).toBe(1);
    expect((result.errors.get("str") as RedisCommandError).redisCode).toBe("WRONGTYPE");
  });

  it("rejects bad ids and trim options before writing", async () => {
    const frame = pl.DataFrame({ v: ["a", "b"] });
    for (const options of [
      { stream: "s", ids: ["1-0", "bad"] },
      { stream: "s", ids: ["0-0", "1-0"] },
      { stream: "s", ids: ["1-0", "1-0"] },
      { stream: "s", ids: ["1-0"] },
      { stream: "s", maxLen: -1 },
      { stream: "s", rowIds: ["a"] },
      { stream: "s", rowIds: ["a", "b"], ids: ["1-0", "2-0"] },
      { stream: "s", rowIds: ["a", "b"], ifExists: "replace" as const },
      { stream: "s", dedupeWindowMs: 5 },
      { stream: "s", minId: "x" },
    ]) {
      const error = await writeStreams(redis.conn, frame, options).catch((e: unknown) => e);
      expect(InvalidArgumentError.isInstance(error), JSON.stringify(options)).toBe(true);
    }
    expect(await redis.conn.call("DBSIZE")).toBe(0);
  });
});
