import { connect, RedisCommandError, type RedisConnection, RedisConnectionError } from "@polars-redis/core";
import { createFaultProxy } from "@polars-redis/testkit";
import { useRedisConnection } from "@polars-redis/testkit/vitest";
import { describe, expect, it } from "vitest";
import { cacheDataFrame, cacheInfo, deleteCached, getCachedDataFrame } from "../src/index.js";
import { LAYOUT, PUBLISH } from "../src/scripts.js";
import { numericFrame } from "./fixtures/frames.js";

const MB = 1024 * 1024;

async function chunkKeysOf(conn: RedisConnection, key: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const page of conn.scanKeys({ pattern: `{${key}}:~*` })) keys.push(...page);
  return keys;
}

async function deleteFiller(conn: RedisConnection): Promise<void> {
  for await (const page of conn.scanKeys({ pattern: "filler:*", count: 10_000 })) {
    await conn.call("UNLINK", ...page);
  }
}

describe("OOM mid-write", () => {
  const redis = useRedisConnection({
    connect,
    args: ["--maxmemory", "24mb", "--maxmemory-policy", "noeviction"],
  });

  it("fails with the OOM error, keeps the previous version readable and deletes the staged chunks", async () => {
    const key = "oom:entry";
    const previous = numericFrame(2 * MB, 1);
    const first = await cacheDataFrame(redis.conn, key, previous, { chunkBytes: MB });
    const error = await cacheDataFrame(redis.conn, key, numericFrame(40 * MB, 2), { chunkBytes: MB }).catch(
      (e) => e,
    );

    expect(RedisCommandError.isInstance(error)).toBe(true);
    expect(error.redisCode).toBe("OOM");
    // 40 MB in 1 MiB chunks, cut per segment: at least 41 chunks.
    expect(
      Number(/chunk \d+ of (\d+) failed, nothing was published/.exec(error.message)?.[1]),
    ).toBeGreaterThanOrEqual(41);
    expect(error.message).toContain("staged chunks deleted");

    const info = await cacheInfo(redis.conn, key);
    expect(info!.generation).toBe(first.generation);
    expect((await getCachedDataFrame(redis.conn, key))!.frameEqual(previous)).toBe(true);
    const chunks = await chunkKeysOf(redis.conn, key);
    expect(chunks).toHaveLength(first.chunks);
    expect(chunks.every((chunk) => chunk.includes(first.generation))).toBe(true);
  });

  it("a publish refused at maxmemory changes nothing: the script is refused before it runs", async () => {
    const key = "oom:publish";
    const previous = numericFrame(64 * 1024, 5);
    const first = await cacheDataFrame(redis.conn, key, previous);
    // A staged chunk of a new version, then memory filled past maxmemory (DEBUG POPULATE is not refused).
    const chunk = `{${key}}:~manual:0`;
    await redis.conn.call("SET", chunk, "bytes", "PX", 60_000);
    await redis.conn.call("DEBUG", "POPULATE", 200_000, "filler", 64);
    try {
      const error = await PUBLISH.run(
        redis.conn,
        [key, chunk],
        [0, 0, LAYOUT, "layout", LAYOUT, "gen", "manual"],
      ).catch((e: unknown) => e);
      expect(RedisCommandError.isInstance(error) && error.redisCode).toBe("OOM");
      expect((await cacheInfo(redis.conn, key))!.generation).toBe(first.generation);
      expect((await getCachedDataFrame(redis.conn, key))!.frameEqual(previous)).toBe(true);
      // Deleting still works at maxmemory (it frees memory).
      expect(await deleteCached(redis.conn, key)).toBe(true);
    } finally {
      await deleteFiller(redis.conn);
    }
  });

  it("a version that fits is written once memory is free again", async () => {
    const frame = numericFrame(3 * MB, 3);
    await cacheDataFrame(redis.conn, "oom:entry", frame, { chunkBytes: MB });
    expect((await getCachedDataFrame(redis.conn, "oom:entry"))!.frameEqual(frame)).toBe(true);
  });
});

describe("lost connection mid-write", () => {
  const redis = useRedisConnection({ connect });

  it("fails with a connection error; the previous version stays readable and staged chunks only expire", async () => {
    const key = "cut:entry";
    const proxy = await createFaultProxy({ target: redis.server.url });
    const conn = await connect(proxy.url, { ioredis: { maxRetriesPerRequest: 1 } });
    try {
      const previous = numericFrame(MB, 1);
      const first = await cacheDataFrame(conn, key, previous, { chunkBytes: MB / 4, stagingTtl: 120 });
      const fault = proxy.closeAfterBytes({ bytes: 3 * MB, direction: "toServer" });
      const error = await cacheDataFrame(conn, key, numericFrame(8 * MB, 2), {
        chunkBytes: MB / 4,
        stagingTtl: 120,
      }).catch((e) => e);
      await fault.remove();

      expect(RedisConnectionError.isInstance(error)).toBe(true);
      // 8 MiB in four segments of ~2 MiB, each cut into 256 KiB chunks (the last one of a segment shorter).
      expect(error.message).toMatch(/chunk \d+ of 36 failed, nothing was published/);
      expect(error.message).toContain("expire within 120 s");

      expect((await cacheInfo(redis.conn, key))!.generation).toBe(first.generation);
      expect((await getCachedDataFrame(redis.conn, key))!.frameEqual(previous)).toBe(true);
      const orphans = (await chunkKeysOf(redis.conn, key)).filter(
        (chunk) => !chunk.includes(first.generation),
      );
      expect(orphans.length).toBeGreaterThan(0); // the cut left staged chunks behind...
      for (const chunk of orphans) {
        const pttl = Number(await redis.conn.call("PTTL", chunk));
        expect(pttl).toBeGreaterThan(0); // ...and every one of them expires
        expect(pttl).toBeLessThanOrEqual(120_000);
      }
    } finally {
      await conn.close();
      await proxy.close();
    }
  });

  it("refuses to publish when a staged chunk expired before publishing", async () => {
    const key = "staging:expired";
    const previous = numericFrame(64 * 1024, 1);
    await cacheDataFrame(redis.conn, key, previous);
    // 30 ms on the way to the server, a 10 ms staging TTL: the publish script always arrives after the last
    // chunk expired.
    const proxy = await createFaultProxy({ target: redis.server.url });
    const conn = await connect(proxy.url);
    try {
      proxy.latency({ latencyMs: 30, direction: "toServer" });
      const error = await cacheDataFrame(conn, key, numericFrame(MB, 2), {
        chunkBytes: 256 * 1024,
        stagingTtl: 0.01,
      }).catch((e) => e);
      expect(RedisCommandError.isInstance(error)).toBe(true);
      expect(error.redisCode).toBe("NOCHUNK");
      expect(error.message).toContain("publishing was refused, nothing changed");
    } finally {
      await conn.close();
      await proxy.close();
    }
    expect((await getCachedDataFrame(redis.conn, key))!.frameEqual(previous)).toBe(true);
  });
});
