import { connect, InvalidArgumentError, type RedisCommandError } from "@polars-redis/core";
import { useRedisConnection } from "@polars-redis/testkit/vitest";
import pl from "nodejs-polars";
import { describe, expect, it } from "vitest";
import { writeLists, writeSets, writeStrings, writeZsets } from "../src/index.js";

const redis = useRedisConnection({ connect, flushBeforeEach: true });

const members = async (key: string): Promise<string[]> =>
  ((await redis.conn.call("SMEMBERS", key)) as string[]).sort();

describe("writeStrings", () => {
  it("writes values as text, skips null values, and applies TTLs", async () => {
    const frame = pl.DataFrame([
      pl.Series("_key", ["a", "b", "c"]),
      pl.Series("value", ["1", "9007199254740993", null]).cast(pl.Int64),
      pl.Series("ttl", [null, 60_000, null]),
    ]);
    const result = await writeStrings(redis.conn, frame, { ttlColumn: "ttl" });
    expect(result.written).toBe(2);
    expect(result.skippedKeys).toEqual(["c"]);
    expect(await redis.conn.call("MGET", "a", "b", "c")).toEqual(["1", "9007199254740993", null]);
    expect(await redis.conn.call("PTTL", "b")).toBeGreaterThan(0);
    expect(await redis.conn.call("TTL", "a")).toBe(-1);
  });

  it("fail mode skips existing keys (SET NX); append is refused", async () => {
    await redis.conn.call("SET", "a", "old");
    const frame = pl.DataFrame({ _key: ["a", "b"], value: ["new", "new"] });
    const result = await writeStrings(redis.conn, frame, { ifExists: "fail" });
    expect(result.skippedKeys).toEqual(["a"]);
    expect(await redis.conn.call("MGET", "a", "b")).toEqual(["old", "new"]);
    const error = await writeStrings(redis.conn, frame, { ifExists: "append" }).catch((e: unknown) => e);
    expect(InvalidArgumentError.isInstance(error)).toBe(true);
  });
});

describe("writeSets", () => {
  it("groups rows by key; replace makes the set exactly the members given; null members are left out", async () => {
    await redis.conn.call("SADD", "s1", "stale");
    const frame = pl.DataFrame({ _key: ["s1", "s2", "s1", "s1", "s3"], member: ["a", "x", "b", null, null] });
    const result = await writeSets(redis.conn, frame);
    expect(result.written).toBe(2);
    expect(result.skippedKeys).toEqual(["s3"]);
    expect(await members("s1")).toEqual(["a", "b"]);
    expect(await members("s2")).toEqual(["x"]);
    await writeSets(redis.conn, pl.DataFrame({ _key: ["s1"], member: ["c"] }), { ifExists: "append" });
    expect(await members("s1")).toEqual(["a", "b", "c"]);
  });

  it("stages a set too large for one call and publishes it atomically", async () => {
    const count = 40_000;
    await redis.conn.call("SADD", "big", "stale");
    const frame = pl
      .DataFrame({ member: Array.from({ length: count }, (_, i) => `m${i}`) })
      .withColumns(pl.lit("big").alias("_key"));
    const result = await writeSets(redis.conn, frame, { ttl: 100 });
    expect(result.written).toBe(1);
    expect(await redis.conn.call("SCARD", "big")).toBe(count);
    expect(await redis.conn.call("SISMEMBER", "big", "stale")).toBe(0);
    expect(await redis.conn.call("TTL", "big")).toBeGreaterThan(0);
    expect(await redis.conn.call("DBSIZE")).toBe(1);

    const skipped = await writeSets(redis.conn, frame, { ifExists: "fail" });
    expect(skipped.skippedKeys).toEqual(["big"]);
    expect(await redis.conn.call("DBSIZE")).toBe(1);
  });
});

describe("writeZsets", () => {
  it("writes members with scores, ±inf kept, null scores left out, NaN refused", async () => {
    const frame = pl.DataFrame({
      _key: ["z", "z", "z", "z"],
      member: ["a", "b", "c", "d"],
      score: [1.5, Number.POSITIVE_INFINITY, null, -2],
    });
    const result = await writeZsets(redis.conn, frame);
    expect(result.written).toBe(1);
    expect(await redis.conn.call("ZRANGE", "z", 0, -1, "WITHSCORES")).toEqual([
      "d",
      "-2",
      "a",
      "1.5",
      "b",
      "inf",
    ]);
    const error = await writeZsets(
      redis.conn,
      pl.DataFrame({ _key: ["y"], member: ["a"], score: [Number.NaN] }),
    ).catch((e: unknown) => e);
    expect(InvalidArgumentError.isInstance(error)).toBe(true);
    expect(await redis.conn.call("EXISTS", "y")).toBe(0);
  });
});

describe("writeLists", () => {
  it("keeps frame order, or the index column's order; replace is exact, append pushes", async () => {
    const frame = pl.DataFrame({ _key: ["l", "l", "l"], element: ["c", "a", "b"], pos: [3, 1, 2] });
    await redis.conn.call("RPUSH", "l", "stale");
    await writeLists(redis.conn, frame);
    expect(await redis.conn.call("LRANGE", "l", 0, -1)).toEqual(["c", "a", "b"]);
    await writeLists(redis.conn, frame, { indexColumn: "pos" });
    expect(await redis.conn.call("LRANGE", "l", 0, -1)).toEqual(["a", "b", "c"]);
    await writeLists(redis.conn, frame, { indexColumn: "pos", ifExists: "append" });
    expect(await redis.conn.call("LRANGE", "l", 0, -1)).toEqual(["a", "b", "c", "a", "b", "c"]);
  });

  it("reports WRONGTYPE per key in append mode", async () => {
    await redis.conn.call("SET", "str", "x");
    const result = await writeLists(redis.conn, pl.DataFrame({ _key: ["str", "ok"], element: ["1", "2"] }), {
      ifExists: "append",
    });
    expect(result.written).toBe(1);
    expect((result.errors.get("str") as RedisCommandError).redisCode).toBe("WRONGTYPE");
  });
});
