import { startRedis, waitFor } from "@polars-redis/testkit";
import { useRedisConnection } from "@polars-redis/testkit/vitest";
import pl from "nodejs-polars";
import { beforeEach, describe, expect, it } from "vitest";
import {
  AbortedError,
  type Command,
  connect,
  deleteKeys,
  deleteKeysMatching,
  existsKeys,
  keyInfo,
  persistKeys,
  RedisCommandError,
  type RedisConnection,
  renameKeys,
  scanKeyInfo,
  setTtl,
  ttlKeys,
} from "../src/index.js";

const redis = useRedisConnection({ connect });
beforeEach(async () => {
  await redis.conn.call("FLUSHALL");
});

async function load(commands: Command[]): Promise<void> {
  const replies = await redis.conn.batch(commands);
  for (const reply of replies) if (reply instanceof Error) throw reply;
}

/** A connection that passes everything through and records the size of each batch call. */
function measuring(inner: RedisConnection): RedisConnection & { batchSizes: number[] } {
  const batchSizes: number[] = [];
  return Object.assign(Object.create(inner) as RedisConnection, {
    batchSizes,
    batch: (commands: readonly Command[], options?: Parameters<RedisConnection["batch"]>[1]) => {
      batchSizes.push(commands.length);
      return inner.batch(commands, options);
    },
  });
}

describe("deleteKeys", () => {
  it("counts deleted and missing keys, from a list or a frame's key column", async () => {
    await load([
      ["SET", "a", "1"],
      ["HSET", "b", "f", "v"],
      ["SET", "c", "3"],
    ]);
    const result = await deleteKeys(redis.conn, ["a", "b", "missing"]);
    expect([result.deleted, result.notFound, result.failed]).toEqual([2, 1, 0]);
    expect(result.isCompleteSuccess()).toBe(true);
    expect(await redis.conn.call("EXISTS", "a", "b")).toBe(0);

    const fromFrame = await deleteKeys(redis.conn, pl.DataFrame({ id: ["c", "a"] }), {
      keyColumn: "id",
      method: "del",
    });
    expect([fromFrame.deleted, fromFrame.notFound]).toEqual([1, 1]);
    expect(await redis.conn.call("DBSIZE")).toBe(0);
  });

  it("reports every key a read-only replica refuses, with Redis's code, and deletes nothing", async () => {
    await load([
      ["SET", "k1", "1"],
      ["SET", "k2", "2"],
    ]);
    await redis.conn.call("CONFIG", "SET", "repl-diskless-sync-delay", "0"); // full sync at once, not after 5 s
    await using replica = await startRedis({
      args: ["--replicaof", redis.server.host, String(redis.server.port)],
    });
    const replicaConn = await connect(replica.url);
    try {
      await waitFor(async () => (await replicaConn.call("DBSIZE")) === 2, { timeoutMs: 20_000 });
      const result = await deleteKeys(replicaConn, ["k1", "k2"]);
      expect([result.deleted, result.failed]).toEqual([0, 2]);
      expect(result.failedKeys().sort()).toEqual(["k1", "k2"]);
      const error = result.errors.get("k1");
      expect(RedisCommandError.isInstance(error)).toBe(true);
      expect((error as RedisCommandError).redisCode).toBe("READONLY");
      expect(result.isCompleteSuccess()).toBe(false);
    } finally {
      await replicaConn.close();
    }
    expect(await redis.conn.call("DBSIZE")).toBe(2);
  });
});

describe("deleteKeysMatching", () => {
  beforeEach(async () => {
    const commands: Command[] = [];
    for (let i = 0; i < 1500; i++) commands.push(["SET", `tmp:s:${i}`, "x"]);
    for (let i = 0; i < 300; i++) commands.push(["HSET", `tmp:h:${i}`, "f", "v"]);
    commands.push(["SET", "keep:1", "x"]);
    await load(commands);
  });

  it("deletes in bounded batches as SCAN finds keys, and only keys of the requested type", async () => {
    const measured = measuring(redis.conn);
    const progress: number[] = [];
    const result = await deleteKeysMatching(measured, "tmp:*", {
      type: "string",
      batchSize: 200,
      onProgress: (p) => progress.push(p.deleted),
    });
    expect([result.matched, result.deleted, result.failed, result.dryRun]).toEqual([1500, 1500, 0, false]);
    expect(measured.batchSizes).toEqual([200, 200, 200, 200, 200, 200, 200, 100]);
    expect(progress.at(-1)).toBe(1500);
    expect(await redis.conn.call("DBSIZE")).toBe(301); // the 300 hashes and keep:1 remain
  });

  it("counts without deleting in a dry run, and lists a bounded sample", async () => {
    const result = await deleteKeysMatching(redis.conn, "tmp:h:*", { dryRun: true, sampleSize: 5 });
    expect([result.matched, result.deleted, result.dryRun]).toEqual([300, 0, true]);
    expect(result.sampleKeys).toHaveLength(5);
    for (const key of result.sampleKeys) expect(key).toMatch(/^tmp:h:\d+$/);
    expect(await redis.conn.call("DBSIZE")).toBe(1801);
  });

  it("stops when its signal is aborted", async () => {
    const controller = new AbortController();
    const error = await deleteKeysMatching(redis.conn, "tmp:*", {
      batchSize: 100,
      onProgress: () => controller.abort(),
      signal: controller.signal,
    }).catch((e: unknown) => e);
    expect(AbortedError.isInstance(error)).toBe(true);
    const left = (await redis.conn.call("DBSIZE")) as number;
    expect(left).toBeGreaterThan(1);
    expect(left).toBeLessThan(1801);
  });
});

describe("existsKeys and ttlKeys", () => {
  it("answers one row per key, in input order", async () => {
    await load([
      ["SET", "a", "1"],
      ["SET", "b", "1", "EX", "1000"],
    ]);
    const exists = await existsKeys(redis.conn, ["b", "missing", "a"]);
    expect(exists.columns).toEqual(["key", "exists"]);
    expect(exists.getColumn("key").toArray()).toEqual(["b", "missing", "a"]);
    expect(exists.getColumn("exists").toArray()).toEqual([true, false, true]);

    const ttl = await ttlKeys(redis.conn, ["a", "b", "missing"]);
    expect(ttl.getColumn("ttl").dtype.equals(pl.Int64)).toBe(true);
    const [a, b, missing] = ttl.getColumn("ttl").toArray() as number[];
    expect([a, missing]).toEqual([-1, -2]);
    expect(b).toBeGreaterThan(990);
    expect(b).toBeLessThanOrEqual(1000);

    const ms = (await ttlKeys(redis.conn, ["b"], { unit: "ms" })).getColumn("ttl").toArray() as number[];
    expect(ms[0]).toBeGreaterThan(990_000);
  });

  it("sends work in batches of batchSize keys", async () => {
    const measured = measuring(redis.conn);
    const keys = Array.from({ length: 25 }, (_, i) => `k${i}`);
    const frame = await existsKeys(measured, keys, { batchSize: 10 });
    expect(frame.height).toBe(25);
    expect(measured.batchSizes).toEqual([10, 10, 5]);
  });
});

describe("setTtl and persistKeys", () => {
  beforeEach(async () => {
    await load([
      ["SET", "a", "1"],
      ["SET", "b", "1"],
      ["SET", "c", "1", "EX", "50"],
    ]);
  });

  it("sets one TTL for all keys; missing keys are skipped, not failed", async () => {
    const result = await setTtl(redis.conn, ["a", "b", "gone"], 100);
    expect([result.succeeded, result.skipped, result.failed]).toEqual([2, 1, 0]);
    expect(result.skippedKeys).toEqual(["gone"]);
    expect(await redis.conn.call("TTL", "a")).toBeGreaterThan(90);
  });

  it("sets per-key TTLs from an array or a frame column, in seconds or milliseconds", async () => {
    await setTtl(redis.conn, ["a", "b"], [100, 200]);
    expect(await redis.conn.call("TTL", "b")).toBeGreaterThan(190);
    const frame = pl.DataFrame({ _key: ["a", "b"], ttl: [300_000, 400_000] });
    const result = await setTtl(redis.conn, frame, { column: "ttl" }, { unit: "ms" });
    expect(result.succeeded).toBe(2);
    expect(await redis.conn.call("PTTL", "a")).toBeGreaterThan(290_000);
    expect(await redis.conn.call("TTL", "b")).toBeGreaterThan(390);
  });

  it("honours Redis 7 conditions: NX leaves keys that already expire alone", async () => {
    const result = await setTtl(redis.conn, ["a", "c"], 1000, { condition: "NX" });
    expect([result.succeeded, result.skipped]).toEqual([1, 1]);
    expect(await redis.conn.call("TTL", "c")).toBeLessThanOrEqual(50);
  });

  it("persists keys; keys without a TTL or missing are skipped", async () => {
    const result = await persistKeys(redis.conn, ["a", "c", "gone"]);
    expect([result.succeeded, result.skipped]).toEqual([1, 2]);
    expect(result.skippedKeys).toEqual(["a", "gone"]);
    expect(await redis.conn.call("TTL", "c")).toBe(-1);
  });
});

describe("renameKeys", () => {
  beforeEach(async () => {
    await load([
      ["SET", "old:1", "one"],
      ["SET", "old:2", "two"],
      ["SET", "taken", "keep me"],
    ]);
  });

  it("renames, skips taken names unless overwrite, and reports missing sources", async () => {
    const result = await renameKeys(redis.conn, { "old:1": "new:1", "old:2": "taken", "old:9": "new:9" });
    expect([result.succeeded, result.skipped, result.notFound, result.failed]).toEqual([1, 1, 1, 0]);
    expect(result.skippedKeys).toEqual(["old:2"]);
    expect(result.notFoundKeys).toEqual(["old:9"]);
    expect(await redis.conn.call("GET", "new:1")).toBe("one");
    expect(await redis.conn.call("GET", "taken")).toBe("keep me");

    const forced = await renameKeys(redis.conn, new Map([["old:2", "taken"]]), { overwrite: true });
    expect(forced.succeeded).toBe(1);
    expect(await redis.conn.call("GET", "taken")).toBe("two");
  });

  it("takes the mapping from two columns of a frame", async () => {
    const frame = pl.DataFrame({ before: ["old:1", "old:2"], after: ["x:1", "x:2"] });
    const result = await renameKeys(redis.conn, frame, { fromColumn: "before", toColumn: "after" });
    expect(result.succeeded).toBe(2);
    expect(await redis.conn.call("MGET", "x:1", "x:2")).toEqual(["one", "two"]);
  });
});

describe("keyInfo", () => {
  beforeEach(async () => {
    await load([
      ["SET", "i:str", "hello"],
      ["SET", "i:int", "12345", "EX", "500"],
      ["HSET", "i:hash", "f", "v"],
      ["RPUSH", "i:list", "a", "b"],
      ["SADD", "i:set", "1", "2"],
      ["ZADD", "i:zset", "1", "m"],
      ["XADD", "i:stream", "*", "f", "v"],
      ["SET", "other", "x"],
    ]);
  });

  it("describes type, TTL, memory and encoding of every matching key", async () => {
    const info = await keyInfo(redis.conn, { pattern: "i:*" });
    expect(info.columns).toEqual(["key", "key_type", "ttl", "memory_usage", "encoding"]);
    expect(info.getColumn("memory_usage").dtype.equals(pl.Int64)).toBe(true);
    const rows = new Map(info.toRecords().map((row) => [row.key as string, row]));
    expect(rows.size).toBe(7);
    expect(rows.get("i:str")).toMatchObject({ key_type: "string", ttl: -1, encoding: "embstr" });
    expect(rows.get("i:int")).toMatchObject({ key_type: "string", encoding: "int" });
    expect(rows.get("i:int")!.ttl as number).toBeGreaterThan(490);
    expect(rows.get("i:hash")).toMatchObject({ key_type: "hash", encoding: "listpack" });
    expect(rows.get("i:set")).toMatchObject({ key_type: "set", encoding: "intset" });
    expect(rows.get("i:stream")).toMatchObject({ key_type: "stream", encoding: "stream" });
    for (const row of rows.values()) expect(row.memory_usage as number).toBeGreaterThan(0);
  });

  it("filters by type, skips memory on request, and streams bounded batches", async () => {
    const hashes = await keyInfo(redis.conn, { pattern: "i:*", type: "hash", includeMemory: false });
    expect(hashes.columns).toEqual(["key", "key_type", "ttl"]);
    expect(hashes.getColumn("key").toArray()).toEqual(["i:hash"]);

    const heights: number[] = [];
    for await (const frame of scanKeyInfo(redis.conn, { pattern: "*", batchSize: 3 }))
      heights.push(frame.height);
    expect(heights.every((height) => height <= 3)).toBe(true);
    expect(heights.reduce((a, b) => a + b, 0)).toBe(8);
  });

  it("gives a missing key of an explicit list a row with type none, TTL -2 and null memory", async () => {
    const info = await keyInfo(redis.conn, { keys: ["i:list", "nope"] });
    expect(info.toRecords()).toEqual([
      expect.objectContaining({
        key: "i:list",
        key_type: "list",
        ttl: -1,
        encoding: expect.stringMatching(/list/),
      }),
      { key: "nope", key_type: "none", ttl: -2, memory_usage: null, encoding: null },
    ]);
  });

  it("returns a typed empty frame when nothing matches", async () => {
    const info = await keyInfo(redis.conn, { pattern: "nothing:*" });
    expect(info.height).toBe(0);
    expect(info.columns).toEqual(["key", "key_type", "ttl", "memory_usage", "encoding"]);
  });
});
