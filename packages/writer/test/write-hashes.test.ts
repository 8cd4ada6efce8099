import { connect, InvalidArgumentError, RedisCommandError } from "@polars-redis/core";
import { useRedisConnection } from "@polars-redis/testkit/vitest";
import pl from "nodejs-polars";
import { describe, expect, it } from "vitest";
import { writeHashes } from "../src/index.js";
import { HASH_TRANSPORTS, viaTransport } from "./fixtures/transports.js";

const redis = useRedisConnection({ connect, flushBeforeEach: true });

async function hgetall(key: string): Promise<Record<string, string>> {
  const flat = (await redis.conn.call("HGETALL", key)) as string[];
  const out: Record<string, string> = {};
  for (let i = 0; i < flat.length; i += 2) out[flat[i]!] = flat[i + 1]!;
  return out;
}

describe.each(HASH_TRANSPORTS)("writeHashes over %s", (transport) => {
  const target = () => viaTransport(redis.conn, transport);

  it("writes one hash per row with exact text per dtype, leaving null fields out", async () => {
    const frame = pl.DataFrame([
      pl.Series("_key", ["u:1", "u:2"]),
      pl.Series("name", ["ada", null]),
      pl.Series("big", BigInt64Array.from([9007199254740993n, -5n])),
      pl.Series("score", [1.5, Number.POSITIVE_INFINITY]),
      pl.Series("active", [true, false]),
      pl.Series("day", [new Date(Date.UTC(2024, 0, 15)), new Date(Date.UTC(2024, 1, 29))]).cast(pl.Date),
      pl.Series("at", [new Date(Date.UTC(2024, 0, 15, 10, 30, 0, 123)), null]),
    ]);
    const result = await writeHashes(target(), frame);
    expect(result.written).toBe(2);
    expect(result.isCompleteSuccess()).toBe(true);
    expect(await hgetall("u:1")).toEqual({
      name: "ada",
      big: "9007199254740993",
      score: "1.5",
      active: "true",
      day: "2024-01-15",
      at: "2024-01-15T10:30:00.123",
    });
    expect(await hgetall("u:2")).toEqual({ big: "-5", score: "inf", active: "false", day: "2024-02-29" });
  });

  it("keeps every value on its own field when dtypes are interleaved (columns are converted grouped by kind)", async () => {
    const frame = pl.DataFrame([
      pl.Series("n1", [1, 2]).cast(pl.Int64),
      pl.Series("s1", ["x", "y"]),
      pl.Series("t1", [new Date(Date.UTC(2024, 0, 1)), new Date(Date.UTC(2024, 0, 2))]),
      pl.Series("_key", ["mix:1", "mix:2"]),
      pl.Series("n2", [10.5, null]),
      pl.Series("s2", [null, "z"]),
      pl.Series("b1", [true, false]),
    ]);
    await writeHashes(target(), frame);
    expect(await hgetall("mix:1")).toEqual({
      n1: "1",
      s1: "x",
      t1: "2024-01-01T00:00:00.000",
      n2: "10.5",
      b1: "true",
    });
    expect(await hgetall("mix:2")).toEqual({
      n1: "2",
      s1: "y",
      t1: "2024-01-02T00:00:00.000",
      s2: "z",
      b1: "false",
    });
  });

  it("copies values byte for byte: empty, inline, long, multi-byte and 70 kB strings", async () => {
    const values = [
      "",
      "short",
      "exactly12byt",
      "a bit longer than twelve bytes",
      "ünïcødé ✓ 🚀",
      "x".repeat(300),
      "y".repeat(70_000),
    ];
    const frame = pl.DataFrame({
      _key: values.map((_, i) => `bytes:${i}`),
      v: values,
      w: values.map((v) => (v === "short" ? null : "w")),
    });
    const result = await writeHashes(target(), frame);
    expect(result.written).toBe(values.length);
    for (const [i, value] of values.entries()) {
      expect(await redis.conn.call("HGET", `bytes:${i}`, "v")).toBe(value);
      expect(await redis.conn.call("HEXISTS", `bytes:${i}`, "w")).toBe(value === "short" ? 0 : 1);
    }
  });

  it("writes time-zoned datetimes as UTC instants with Z", async () => {
    const at = pl
      .Series("at", [new Date(Date.UTC(2024, 5, 1, 12, 0, 0))])
      .cast(pl.Datetime("us", "UTC"))
      .dt.convertTimeZone("Europe/Paris");
    await writeHashes(target(), pl.DataFrame([pl.Series("_key", ["t"]), at]));
    expect(await hgetall("t")).toEqual({ at: "2024-06-01T12:00:00.000000Z" });
  });

  it("reports an all-null row as skipped and never deletes the key", async () => {
    await redis.conn.call("HSET", "keep", "old", "1");
    const frame = pl.DataFrame({ _key: ["keep", "new"], a: [null, "x"], b: [null, "y"] });
    const result = await writeHashes(target(), frame);
    expect(result.written).toBe(1);
    expect(result.skipped).toBe(1);
    expect(result.skippedKeys).toEqual(["keep"]);
    expect(await hgetall("keep")).toEqual({ old: "1" });
  });

  it("replace drops old fields and TTL; append merges; fail skips existing keys", async () => {
    await redis.conn.call("HSET", "h", "old", "1", "a", "0");
    await redis.conn.call("EXPIRE", "h", 1000);
    await writeHashes(target(), pl.DataFrame({ _key: ["h"], a: ["1"] }));
    expect(await hgetall("h")).toEqual({ a: "1" });
    expect(await redis.conn.call("TTL", "h")).toBe(-1);

    await writeHashes(target(), pl.DataFrame({ _key: ["h"], b: ["2"] }), { ifExists: "append", ttl: 50 });
    expect(await hgetall("h")).toEqual({ a: "1", b: "2" });
    expect(await redis.conn.call("TTL", "h")).toBeGreaterThan(0);

    const result = await writeHashes(target(), pl.DataFrame({ _key: ["h", "g"], c: ["3", "4"] }), {
      ifExists: "fail",
      keepWrittenKeys: true,
    });
    expect(result.skippedKeys).toEqual(["h"]);
    expect(result.writtenKeys).toEqual(["g"]);
    expect(await hgetall("h")).toEqual({ a: "1", b: "2" });
    expect(await hgetall("g")).toEqual({ c: "4" });
  });

  it("builds keys from a prefix or a template, and applies per-row TTLs from a column", async () => {
    const frame = pl.DataFrame([
      pl.Series("id", [1, 2], pl.Int64),
      pl.Series("region", ["eu", "us"]),
      pl.Series("ttl", [100_000, null]),
      pl.Series("v", ["a", "b"]),
    ]);
    const result = await writeHashes(target(), frame, {
      keyTemplate: "{{shop}}:{region}:{id}",
      keyPrefix: "p:",
      ttlColumn: "ttl",
      keepWrittenKeys: true,
    });
    expect(result.writtenKeys).toEqual(["p:{shop}:eu:1", "p:{shop}:us:2"]);
    expect(await hgetall("p:{shop}:eu:1")).toEqual({ id: "1", region: "eu", v: "a" });
    expect(await redis.conn.call("TTL", "p:{shop}:eu:1")).toBeGreaterThan(0);
    expect(await redis.conn.call("TTL", "p:{shop}:us:2")).toBe(-1);
  });

  it("reports WRONGTYPE for exactly the keys of another type; the rest are written once", async () => {
    await redis.conn.call("SET", "k:2", "a string");
    await redis.conn.call("RPUSH", "k:4", "a list");
    const keys = Array.from({ length: 6 }, (_, i) => `k:${i}`);
    const frame = pl.DataFrame({ _key: keys, v: keys.map((key) => `v-${key}`) });
    const result = await writeHashes(target(), frame, { ifExists: "append" });
    expect(result.written).toBe(4);
    expect(result.failedKeys().sort()).toEqual(["k:2", "k:4"]);
    for (const key of ["k:2", "k:4"]) {
      const error = result.errors.get(key)!;
      expect(RedisCommandError.isInstance(error)).toBe(true);
      expect((error as RedisCommandError).redisCode).toBe("WRONGTYPE");
      expect(error.retryable).toBe(false);
    }
    expect(result.retryableKeys()).toEqual([]);
    expect(await redis.conn.call("GET", "k:2")).toBe("a string");
    expect(await hgetall("k:0")).toEqual({ v: "v-k:0" });
  });

  describe("bad input fails before anything is written", () => {
    const cases: [string, () => pl.DataFrame, object, string][] = [
      ["missing key column", () => pl.DataFrame({ id: ["a"], v: ["1"] }), {}, "id, v"],
      ["null key", () => pl.DataFrame({ _key: ["a", null], v: ["1", "2"] }), {}, "null"],
      ["duplicate key", () => pl.DataFrame({ _key: ["a", "a"], v: ["1", "2"] }), {}, '"a"'],
      [
        "unsupported dtype",
        () => pl.DataFrame([pl.Series("_key", ["a"]), pl.Series("l", [[1, 2]], pl.List(pl.Int64))]),
        {},
        "List",
      ],
      ["negative ttl", () => pl.DataFrame({ _key: ["a"], v: ["1"] }), { ttl: -5 }, "ttl"],
      [
        "bad ttl column value",
        () => pl.DataFrame({ _key: ["a"], v: ["1"], t: [-7] }),
        { ttlColumn: "t" },
        "-7",
      ],
      ["unknown mode", () => pl.DataFrame({ _key: ["a"], v: ["1"] }), { ifExists: "merge" }, "ifExists"],
      ["bad batch size", () => pl.DataFrame({ _key: ["a"], v: ["1"] }), { batchSize: 0 }, "batchSize"],
      [
        "template without column",
        () => pl.DataFrame({ _key: ["a"], v: ["1"] }),
        { keyTemplate: "fixed" },
        "names no column",
      ],
    ];
    for (const [name, build, options, expected] of cases) {
      it(name, async () => {
        const error = await writeHashes(target(), build(), options).catch((e: unknown) => e);
        expect(InvalidArgumentError.isInstance(error)).toBe(true);
        expect((error as Error).message).toContain(expected);
        expect(await redis.conn.call("DBSIZE")).toBe(0);
      });
    }
  });
});
