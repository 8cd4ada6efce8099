import { connectCluster } from "@polars-redis/cluster";
import { connect, type RedisConnection } from "@polars-redis/core";
import { keySlot } from "@polars-redis/core/internal";
import { useCluster, useRedis } from "@polars-redis/testkit/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { segmenting } from "../src/codec.js";
import {
  type CacheInfo,
  cacheDataFrame,
  cached,
  deleteCached,
  getCachedDataFrame,
  listCached,
} from "../src/index.js";
import { mixedFrame } from "./fixtures/frames.js";
import { checkWhole, hammer, versionFrame } from "./fixtures/hammer.js";

describe("one server: concurrent writers and readers on one key", () => {
  const redis = useRedis();
  const conns: RedisConnection[] = [];
  beforeAll(async () => {
    for (let i = 0; i < 6; i++) conns.push(await connect(redis.url));
  });
  afterAll(async () => {
    for (const conn of conns) await conn.close();
  });

  for (const format of ["ipc", "parquet"] as const) {
    it(`every read is one whole version, none misses once one is published (${format})`, async () => {
      const key = `hammer:${format}`;
      const result = await hammer({
        writers: conns.slice(0, 3),
        readers: conns.slice(3),
        key,
        writesPerWriter: 25,
        format,
      });
      expect(result.writes).toBe(75);
      expect(result.lateMisses).toBe(0);
      expect(result.reads).toBeGreaterThan(0);
      expect(result.versionsSeen).toBeGreaterThan(0);
      checkWhole((await getCachedDataFrame(conns[0]!, key))!);
      // Only the live version's chunks persist; replaced ones carry the reclaim delay (10 s) as their TTL.
      const info: CacheInfo[] = [];
      for await (const entry of listCached(conns[0]!, { prefix: key })) info.push(entry);
      expect(info).toHaveLength(1);
      const chunkKeys: string[] = [];
      for await (const page of conns[0]!.scanKeys({ pattern: `{${key}}:~*` })) chunkKeys.push(...page);
      const live = chunkKeys.filter((chunk) => chunk.includes(info[0]!.generation));
      expect(live).toHaveLength(info[0]!.chunks);
      for (const chunk of chunkKeys) {
        const pttl = Number(await conns[0]!.call("PTTL", chunk));
        if (live.includes(chunk)) expect(pttl).toBe(-1);
        else expect(pttl === -2 || (pttl > 0 && pttl <= 10_000)).toBe(true);
      }
    });
  }

  it("with reclaimDelay 0 replaced chunks go at once, and reads are still whole or nothing", async () => {
    const key = "hammer:reclaim0";
    const result = await hammer({
      writers: conns.slice(0, 3),
      readers: conns.slice(3),
      key,
      writesPerWriter: 20,
      reclaimDelay: 0,
    });
    expect(result.writes).toBe(60);
    const info: CacheInfo[] = [];
    for await (const entry of listCached(conns[0]!, { prefix: key })) info.push(entry);
    const chunkKeys: string[] = [];
    for await (const page of conns[0]!.scanKeys({ pattern: `{${key}}:~*` })) chunkKeys.push(...page);
    expect(chunkKeys).toHaveLength(info[0]!.chunks);
    expect(chunkKeys.every((chunk) => chunk.includes(info[0]!.generation))).toBe(true);
  });
});

describe("Redis Cluster", () => {
  const fixture = useCluster({ masters: 3, replicasPerMaster: 1 });
  const conns: RedisConnection[] = [];
  beforeAll(async () => {
    for (let i = 0; i < 4; i++) conns.push(await connectCluster(fixture.cluster.seeds));
  });
  afterAll(async () => {
    for (const conn of conns) await conn.close();
  });

  it("keeps every key of an entry on the head's slot, for plain, tagged, unclosed-brace and non-ASCII keys", async () => {
    for (const key of ["report:2024", "tenant:{7}:report", "odd{key", "ünï:{x"]) {
      const info = await cacheDataFrame(conns[0]!, key, versionFrame(1), { chunkBytes: 1024 });
      expect(info.chunks).toBeGreaterThan(1);
      const node = await fixture.cluster.masterForKey(key);
      const admin = await connect(node.url);
      try {
        const headSlot = Number(await admin.call("CLUSTER", "KEYSLOT", key));
        expect(keySlot(key)).toBe(headSlot);
        const keys = (await admin.call("CLUSTER", "GETKEYSINSLOT", headSlot, 1000)) as string[];
        // Head plus every chunk, all on the head's slot (and so on its node).
        expect(keys.filter((k) => k !== key && k.includes(info.generation))).toHaveLength(info.chunks);
      } finally {
        await admin.close();
      }
      checkWhole((await getCachedDataFrame(conns[1]!, key))!);
      expect(await deleteCached(conns[0]!, key)).toBe(true);
    }
  });

  it("every read is one whole version while two writers replace it", async () => {
    const result = await hammer({
      writers: conns.slice(0, 2),
      readers: conns.slice(2),
      key: "cluster:hammer",
      writesPerWriter: 20,
    });
    expect(result.writes).toBe(40);
    expect(result.lateMisses).toBe(0);
    expect(result.reads).toBeGreaterThan(0);
  });

  it("cached(): four callers on four cluster connections compute once", async () => {
    let computations = 0;
    const compute = async (day: string) => {
      computations++;
      await new Promise((resolve) => setTimeout(resolve, 300));
      return versionFrame(day.length);
    };
    const frames = await Promise.all(
      conns.map((conn) =>
        cached(compute, { connection: conn, name: "cluster-report", version: "1" })("2024-06-01"),
      ),
    );
    expect(computations).toBe(1);
    for (const frame of frames) expect(checkWhole(frame)).toBe(10);
  });

  it("a segmented frame round-trips over the cluster's raw channel, segment by segment", async () => {
    const saved = { ...segmenting };
    Object.assign(segmenting, { bytes: 64 * 1024, minBytes: 16 * 1024 });
    try {
      const frame = mixedFrame(6000);
      const info = await cacheDataFrame(conns[0]!, "cluster:{seg}:frame", frame, { chunkBytes: 8 * 1024 });
      expect(info.chunks).toBeGreaterThan(3);
      expect(await conns[0]!.call("HEXISTS", "cluster:{seg}:frame", "segments")).toBe(1);
      const back = (await getCachedDataFrame(conns[1]!, "cluster:{seg}:frame"))!;
      expect(back.frameEqual(frame, true)).toBe(true);
      expect(back.nChunks()).toBeGreaterThan(1);
    } finally {
      Object.assign(segmenting, saved);
    }
  });

  it("lists entries across every master", async () => {
    for (let i = 0; i < 12; i++) await cacheDataFrame(conns[0]!, `clist:${i}`, versionFrame(i));
    const keys: string[] = [];
    for await (const entry of listCached(conns[1]!, { prefix: "clist:" })) keys.push(entry.key);
    expect(keys.sort()).toEqual(Array.from({ length: 12 }, (_, i) => `clist:${i}`).sort());
  });
});
