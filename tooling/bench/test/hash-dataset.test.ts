import { startRedis } from "@polars-redis/testkit";
import { Redis } from "ioredis";
import pl from "nodejs-polars";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readHashesByHand } from "../src/cases/hashes-read/handwritten-loop.js";
import { runRedisBenchmark } from "../src/ceiling/redis-benchmark.js";
import {
  HASH_FIELD_NAMES,
  HASH_KEY_BENCHMARK_TEMPLATE,
  HASH_KEY_PATTERN,
  HASH_PROJECTION,
  hashFieldValues,
  hashKey,
} from "../src/data/hash-dataset.js";
import { loadHashes } from "../src/data/load-hashes.js";

const COUNT = 12_345; // more than two loader chunks, not a multiple of one

describe("hash data set on a real server", () => {
  let server: Awaited<ReturnType<typeof startRedis>>;
  let redis: Redis;

  beforeAll(async () => {
    server = await startRedis();
    redis = new Redis({ host: server.host, port: server.port, lazyConnect: true });
    await redis.connect();
    await loadHashes(server, COUNT);
  });

  afterAll(async () => {
    redis?.disconnect();
    await server?.stop();
  });

  it("loads every hash with its 10 fields, under keys redis-benchmark's __rand_int__ expands to", async () => {
    expect(await redis.dbsize()).toBe(COUNT);
    expect(hashKey(42)).toBe(HASH_KEY_BENCHMARK_TEMPLATE.replace("__rand_int__", "000000000042"));
    const last = await redis.hgetall(hashKey(COUNT - 1));
    expect(Object.keys(last).sort()).toEqual([...HASH_FIELD_NAMES].sort());
    const expected = hashFieldValues(COUNT - 1);
    for (let i = 0; i < expected.length; i += 2) expect(last[expected[i]!]).toBe(expected[i + 1]);
    expect(await redis.exists(hashKey(COUNT))).toBe(0);
  });

  it("keeps values binary-exact for non-ASCII text", async () => {
    const cities = new Set<string>();
    for (let i = 0; i < 500; i++) cities.add((await redis.hget(hashKey(i), "city"))!);
    expect([...cities].some((city) => Buffer.byteLength(city) > city.length)).toBe(true);
  });

  it("the hand-written loop reads every hash with the library's dtypes, and projects with HMGET", async () => {
    const frame = await readHashesByHand({
      host: server.host,
      port: server.port,
      pattern: HASH_KEY_PATTERN,
      batchSize: 1000,
    });
    expect(frame.height).toBe(COUNT);
    expect(frame.columns).toEqual(["_key", ...HASH_FIELD_NAMES]);
    expect(frame.getColumn("age").dtype.equals(pl.Int64)).toBe(true);
    expect(frame.getColumn("active").dtype.equals(pl.Bool)).toBe(true);
    const projected = await readHashesByHand({
      host: server.host,
      port: server.port,
      pattern: HASH_KEY_PATTERN,
      batchSize: 1000,
      columns: HASH_PROJECTION,
    });
    expect(projected.columns).toEqual(["_key", ...HASH_PROJECTION]);
    expect(projected.height).toBe(COUNT);
  });

  it("runs redis-benchmark against the loaded keys and reports a rate", async () => {
    const rate = await runRedisBenchmark(server, {
      command: ["HGETALL", HASH_KEY_BENCHMARK_TEMPLATE],
      requests: 2000,
      keyspace: COUNT,
      clients: 2,
    });
    expect(rate).toBeGreaterThan(0);
  });
});
