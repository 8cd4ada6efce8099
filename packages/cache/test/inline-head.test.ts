import { connect, type RedisConnection } from "@polars-redis/core";
import { useRedis, useRedisConnection } from "@polars-redis/testkit/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cacheDataFrame, cacheInfo, deleteCached, getCachedDataFrame, listCached } from "../src/index.js";
import { mixedFrame } from "./fixtures/frames.js";
import { checkWhole, hammer, versionFrame } from "./fixtures/hammer.js";

const redis = useRedisConnection({ connect });

async function keysMatching(pattern: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const page of redis.conn.scanKeys({ pattern })) keys.push(...page);
  return keys;
}

/** Calls per command since the last CONFIG RESETSTAT, from INFO commandstats (e.g. { hgetall: 1 }). */
async function commandCalls(conn: RedisConnection): Promise<Record<string, number>> {
  const text = String(await conn.call("INFO", "commandstats"));
  const calls: Record<string, number> = {};
  for (const match of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls[match[1]!] = Number(match[2]);
  return calls;
}

describe("a payload inline in the head", () => {
  it("round-trips with no chunk key, the payload in the head's data field", async () => {
    const frame = mixedFrame(50);
    const info = await cacheDataFrame(redis.conn, "inline:one", frame);
    expect(info.chunks).toBe(0);
    expect(await keysMatching("{inline:one}:~*")).toEqual([]);
    const data = await redis.conn.callBuffer("HGET", "inline:one", "data");
    expect(Buffer.isBuffer(data) && data.length).toBe(info.bytes);
    expect((await getCachedDataFrame(redis.conn, "inline:one"))!.frameEqual(frame, true)).toBe(true);
    expect(await cacheInfo(redis.conn, "inline:one")).toMatchObject({
      chunks: 0,
      bytes: info.bytes,
      rows: 50,
    });
    const listed = [];
    for await (const entry of listCached(redis.conn, { prefix: "inline:one" })) listed.push(entry);
    expect(listed.map((entry) => entry.chunks)).toEqual([0]);
    expect(await deleteCached(redis.conn, "inline:one")).toBe(true);
    expect(await redis.conn.call("EXISTS", "inline:one")).toBe(0);
  });

  it("is written by one command and read by one round trip (the head and its PTTL), no chunk GET or SET", async () => {
    const frame = mixedFrame(80);
    await redis.conn.call("CONFIG", "RESETSTAT");
    await cacheDataFrame(redis.conn, "inline:trips", frame);
    const written = await commandCalls(redis.conn);
    expect((written.evalsha ?? 0) + (written.eval ?? 0)).toBe(1);
    expect(written.set).toBeUndefined();
    await redis.conn.call("CONFIG", "RESETSTAT");
    expect((await getCachedDataFrame(redis.conn, "inline:trips"))!.frameEqual(frame, true)).toBe(true);
    const read = await commandCalls(redis.conn);
    // The whole head in one command (HMGET over the raw channel, HGETALL without one), PTTL beside it.
    expect((read.hmget ?? 0) + (read.hgetall ?? 0)).toBe(1);
    expect(read.pttl).toBe(1);
    expect(read.get).toBeUndefined();
  });

  it("is not used above inlineBytes or chunkBytes, nor with inlineBytes 0", async () => {
    const frame = mixedFrame(80);
    const bytes = (await cacheDataFrame(redis.conn, "inline:size", frame)).bytes;
    expect((await cacheDataFrame(redis.conn, "inline:size", frame, { inlineBytes: bytes })).chunks).toBe(0);
    expect((await cacheDataFrame(redis.conn, "inline:size", frame, { inlineBytes: bytes - 1 })).chunks).toBe(
      1,
    );
    expect((await cacheDataFrame(redis.conn, "inline:size", frame, { inlineBytes: 0 })).chunks).toBe(1);
    const chunked = await cacheDataFrame(redis.conn, "inline:size", frame, { chunkBytes: 1024 });
    expect(chunked.chunks).toBe(Math.ceil(bytes / 1024));
    expect((await getCachedDataFrame(redis.conn, "inline:size"))!.frameEqual(frame, true)).toBe(true);
  });

  it("replaces a chunked version and is replaced by one, reclaiming what the other left", async () => {
    const key = "inline:swap";
    const chunked = await cacheDataFrame(redis.conn, key, versionFrame(1), {
      chunkBytes: 1024,
      reclaimDelay: 30,
    });
    expect(chunked.chunks).toBeGreaterThan(1);
    const inline = await cacheDataFrame(redis.conn, key, versionFrame(2), { reclaimDelay: 30 });
    expect(inline.chunks).toBe(0);
    expect(checkWhole((await getCachedDataFrame(redis.conn, key))!)).toBe(2);
    // The chunked version's chunks outlive it by the reclaim delay only.
    const old = await keysMatching(`{${key}}:~${chunked.generation}:*`);
    expect(old).toHaveLength(chunked.chunks);
    for (const chunk of old) {
      const pttl = Number(await redis.conn.call("PTTL", chunk));
      expect(pttl > 0 && pttl <= 30_000).toBe(true);
    }
    const again = await cacheDataFrame(redis.conn, key, versionFrame(3), {
      chunkBytes: 1024,
      reclaimDelay: 0,
    });
    expect(again.chunks).toBeGreaterThan(1);
    // The head was replaced whole: no inline payload is left beside the chunk list.
    expect(await redis.conn.call("HEXISTS", key, "data")).toBe(0);
    expect(checkWhole((await getCachedDataFrame(redis.conn, key))!)).toBe(3);
    await cacheDataFrame(redis.conn, key, versionFrame(4), { reclaimDelay: 0 });
    expect(await keysMatching(`{${key}}:~${again.generation}:*`)).toEqual([]);
    expect(checkWhole((await getCachedDataFrame(redis.conn, key))!)).toBe(4);
  });

  it("rejects an inlineBytes that is not an integer from 0 to 512 MiB", async () => {
    for (const inlineBytes of [-1, 1.5, 2 ** 30, "1"]) {
      await expect(
        cacheDataFrame(redis.conn, "inline:bad", mixedFrame(2), { inlineBytes: inlineBytes as number }),
      ).rejects.toThrow(/inlineBytes/);
    }
  });
});

describe("readers never see a mixed version while inline and chunked versions replace each other", () => {
  const own = useRedis();
  const conns: RedisConnection[] = [];
  beforeAll(async () => {
    for (let i = 0; i < 5; i++) conns.push(await connect(own.url));
  });
  afterAll(async () => {
    for (const conn of conns) await conn.close();
  });

  for (const reclaimDelay of [undefined, 0]) {
    it(`every read is one whole version (reclaimDelay ${reclaimDelay ?? "default"})`, async () => {
      const key = `mixed:${reclaimDelay ?? "default"}`;
      const result = await hammer({
        writers: conns.slice(0, 2),
        readers: conns.slice(2),
        key,
        writesPerWriter: 30,
        // Even versions inline in the head, odd ones in 1 KiB chunks.
        layout: (version) => (version % 2 === 0 ? {} : { chunkBytes: 1024 }),
        ...(reclaimDelay === undefined ? {} : { reclaimDelay }),
      });
      expect(result.writes).toBe(60);
      expect(result.reads).toBeGreaterThan(0);
      if (reclaimDelay === undefined) expect(result.lateMisses).toBe(0);
      const last = (await getCachedDataFrame(conns[0]!, key))!;
      checkWhole(last);
    });
  }
});
