import { connect, InvalidArgumentError, RedisCommandError } from "@polars-redis/core";
import { useRedisConnection } from "@polars-redis/testkit/vitest";
import * as arrow from "apache-arrow";
import pl from "nodejs-polars";
import { describe, expect, it } from "vitest";
import {
  COMPRESSIONS,
  cacheDataFrame,
  cacheExists,
  cacheInfo,
  cacheTable,
  cacheTtl,
  deleteCached,
  getCachedDataFrame,
  getCachedTable,
  listCached,
} from "../src/index.js";
import { mixedFrame } from "./fixtures/frames.js";

const redis = useRedisConnection({ connect });

describe("format × compression round trips", () => {
  const frame = mixedFrame(200);
  for (const format of ["ipc", "parquet"] as const) {
    for (const compression of COMPRESSIONS[format]) {
      const layouts = {
        inline: {},
        "single chunk": { inlineBytes: 0 },
        chunked: { chunkBytes: 1024 },
      } as const;
      for (const [layout, layoutOptions] of Object.entries(layouts)) {
        it(`${format} ${compression} ${layout}`, async () => {
          const key = `m:${format}:${compression}:${layout}`;
          const info = await cacheDataFrame(redis.conn, key, frame, {
            format,
            compression,
            ...layoutOptions,
          });
          expect(info.rows).toBe(200);
          expect(info.chunks).toBe(
            layout === "inline" ? 0 : layout === "single chunk" ? 1 : Math.ceil(info.bytes / 1024),
          );
          if (layout === "chunked") expect(info.chunks).toBeGreaterThan(1);
          const back = await getCachedDataFrame(redis.conn, key);
          expect(back).not.toBeNull();
          expect(back!.schema).toEqual(frame.schema);
          expect(back!.frameEqual(frame, true)).toBe(true);
          const stored = await cacheInfo(redis.conn, key);
          expect(stored).toMatchObject({
            format,
            compression,
            rows: 200,
            chunks: info.chunks,
            bytes: info.bytes,
          });
          expect(stored!.schema).toMatchObject({ id: "Int64", tags: "List(String)" });
        });
      }
    }
  }

  it("keeps Int64 values beyond 2^53 exact", async () => {
    await cacheDataFrame(redis.conn, "m:int64", frame);
    const back = await getCachedDataFrame(redis.conn, "m:int64");
    expect(back!.getColumn("id").cast(pl.Utf8).toArray()).toEqual(
      frame.getColumn("id").cast(pl.Utf8).toArray(),
    );
  });

  it("round-trips an empty frame and a frame without rows", async () => {
    const noRows = frame.head(0);
    await cacheDataFrame(redis.conn, "m:norows", noRows, { format: "parquet" });
    const back = await getCachedDataFrame(redis.conn, "m:norows");
    expect(back!.height).toBe(0);
    expect(back!.schema).toEqual(frame.schema);
  });
});

describe("reading", () => {
  it("projects columns and limits rows, for both formats", async () => {
    const frame = mixedFrame(100);
    for (const format of ["ipc", "parquet"] as const) {
      const key = `proj:${format}`;
      await cacheDataFrame(redis.conn, key, frame, { format, chunkBytes: 2048 });
      const back = await getCachedDataFrame(redis.conn, key, { columns: ["name", "id"], nRows: 10 });
      expect(back!.columns.sort()).toEqual(["id", "name"]);
      expect(back!.height).toBe(10);
      expect(back!.getColumn("name").toArray()).toEqual(frame.getColumn("name").head(10).toArray());
    }
  });

  it("rejects unknown columns naming the cached ones, before fetching chunks", async () => {
    await cacheDataFrame(redis.conn, "proj:bad", mixedFrame(5));
    const error = await getCachedDataFrame(redis.conn, "proj:bad", { columns: ["nope"] }).catch((e) => e);
    expect(InvalidArgumentError.isInstance(error)).toBe(true);
    expect(error.message).toContain('"nope"');
    expect(error.message).toContain('"score"');
  });

  it("returns null for a missing entry and refuses keys holding other data", async () => {
    expect(await getCachedDataFrame(redis.conn, "never:written")).toBeNull();
    expect(await cacheInfo(redis.conn, "never:written")).toBeNull();
    expect(await cacheExists(redis.conn, "never:written")).toBe(false);
    await redis.conn.call("SET", "plain:string", "x");
    const error = await getCachedDataFrame(redis.conn, "plain:string").catch((e) => e);
    expect(RedisCommandError.isInstance(error) && error.redisCode).toBe("WRONGTYPE");
    await redis.conn.call("HSET", "plain:hash", "a", "1");
    const hashError = await cacheInfo(redis.conn, "plain:hash").catch((e) => e);
    expect(InvalidArgumentError.isInstance(hashError)).toBe(true);
  });
});

describe("writing", () => {
  it("never overwrites a key that holds other data", async () => {
    await redis.conn.call("SET", "user:data", "precious");
    const error = await cacheDataFrame(redis.conn, "user:data", mixedFrame(3)).catch((e) => e);
    expect(RedisCommandError.isInstance(error) && error.redisCode).toBe("WRONGTYPE");
    expect(await redis.conn.call("GET", "user:data")).toBe("precious");
    // ...and leaves no staged chunk behind.
    expect(await keysMatching("{user:data}*")).toEqual([]);
  });

  it("replaces a version and reclaims the previous generation's chunks", async () => {
    const key = "versions";
    await cacheDataFrame(redis.conn, key, mixedFrame(40), { chunkBytes: 1024, reclaimDelay: 0 });
    const first = (await keysMatching("{versions}:~*")).length;
    expect(first).toBeGreaterThan(1);
    const second = await cacheDataFrame(redis.conn, key, mixedFrame(10), {
      chunkBytes: 1024,
      reclaimDelay: 0,
    });
    const chunkKeys = await keysMatching("{versions}:~*");
    expect(chunkKeys.length).toBe(second.chunks);
    expect(chunkKeys.every((chunk) => chunk.includes(second.generation))).toBe(true);
    expect((await getCachedDataFrame(redis.conn, key))!.height).toBe(10);
  });

  it("gives a replaced version a short grace TTL instead of deleting it at once", async () => {
    const key = "grace";
    const first = await cacheDataFrame(redis.conn, key, mixedFrame(40), { chunkBytes: 1024 });
    await cacheDataFrame(redis.conn, key, mixedFrame(10), { chunkBytes: 1024, reclaimDelay: 30 });
    const old = await keysMatching(`{grace}:~${first.generation}:*`);
    expect(old.length).toBe(first.chunks);
    for (const chunk of old) {
      const pttl = Number(await redis.conn.call("PTTL", chunk));
      expect(pttl).toBeGreaterThan(0);
      expect(pttl).toBeLessThanOrEqual(30_000);
    }
  });

  it("sets the TTL on head and chunks, and none without ttl", async () => {
    const info = await cacheDataFrame(redis.conn, "ttl:yes", mixedFrame(30), { ttl: 100, chunkBytes: 1024 });
    const ttl = await cacheTtl(redis.conn, "ttl:yes");
    expect(ttl).toBeGreaterThan(90);
    expect(ttl).toBeLessThanOrEqual(100);
    for (const chunk of await keysMatching(`{ttl:yes}:~${info.generation}:*`)) {
      expect(Number(await redis.conn.call("PTTL", chunk))).toBeGreaterThan(90_000);
    }
    const plain = await cacheDataFrame(redis.conn, "ttl:no", mixedFrame(30), { chunkBytes: 1024 });
    expect(await cacheTtl(redis.conn, "ttl:no")).toBeNull();
    for (const chunk of await keysMatching(`{ttl:no}:~${plain.generation}:*`)) {
      expect(Number(await redis.conn.call("PTTL", chunk))).toBe(-1);
    }
  });

  it("deletes an entry with its chunks", async () => {
    await cacheDataFrame(redis.conn, "del:me", mixedFrame(30), { chunkBytes: 1024 });
    expect(await deleteCached(redis.conn, "del:me")).toBe(true);
    expect(await deleteCached(redis.conn, "del:me")).toBe(false);
    expect(await keysMatching("{del:me}*")).toEqual([]);
    expect(await cacheExists(redis.conn, "del:me")).toBe(false);
  });

  it("keeps a key's own hash tag for its chunks", async () => {
    const info = await cacheDataFrame(redis.conn, "tenant:{42}:report", mixedFrame(30), { chunkBytes: 1024 });
    const chunks = await keysMatching("tenant:{42}:report:~*");
    expect(chunks.length).toBe(info.chunks);
  });
});

describe("Arrow tables", () => {
  it("stores a Table and reads it back as a Table, straight from uncompressed IPC or through polars", async () => {
    const table = arrow.tableFromArrays({ x: Float64Array.from([1.5, 2.5]), n: Int32Array.from([7, 8]) });
    for (const options of [{}, { compression: "zstd" as const }, { format: "parquet" as const }]) {
      await cacheTable(redis.conn, "arrow:t", table, options);
      const back = await getCachedTable(redis.conn, "arrow:t");
      expect(back!.numRows).toBe(2);
      expect([...back!.getChild("x")!.toArray()]).toEqual([1.5, 2.5]);
      expect([...back!.getChild("n")!.toArray()]).toEqual([7, 8]);
    }
    const projected = await getCachedTable(redis.conn, "arrow:t", { columns: ["n"], nRows: 1 });
    expect(projected!.schema.fields.map((field) => field.name)).toEqual(["n"]);
    expect(projected!.numRows).toBe(1);
    expect(await getCachedTable(redis.conn, "arrow:missing")).toBeNull();
    const error = await cacheTable(redis.conn, "arrow:bad", { rows: [] } as never).catch((e: unknown) => e);
    expect(InvalidArgumentError.isInstance(error)).toBe(true);
  });
});

describe("listing", () => {
  it("lists the entries under a prefix, skipping chunks, locks and other hashes", async () => {
    await cacheDataFrame(redis.conn, "list:a", mixedFrame(3));
    await cacheDataFrame(redis.conn, "list:b", mixedFrame(4), { format: "parquet", chunkBytes: 1024 });
    await cacheDataFrame(redis.conn, "list:{tag}:c", mixedFrame(5), { chunkBytes: 1024 });
    await redis.conn.call("HSET", "list:other", "f", "v");
    await cacheDataFrame(redis.conn, "elsewhere", mixedFrame(2));
    const entries = [];
    for await (const entry of listCached(redis.conn, { prefix: "list:" })) entries.push(entry);
    expect(entries.map((entry) => [entry.key, entry.rows]).sort()).toEqual([
      ["list:a", 3],
      ["list:b", 4],
      ["list:{tag}:c", 5],
    ]);
  });
});

describe("bad input is refused before anything is written", () => {
  const frame = mixedFrame(3);
  const cases: Array<[string, () => Promise<unknown>, string]> = [
    ["empty key", () => cacheDataFrame(redis.conn, "", frame), "key"],
    ["key with } and no tag", () => cacheDataFrame(redis.conn, "a}b", frame), "key"],
    ["not a frame", () => cacheDataFrame(redis.conn, "bad:1", [{ a: 1 }] as never), "frame"],
    ["lazy frame", () => cacheDataFrame(redis.conn, "bad:1", frame.lazy() as never), "frame"],
    [
      "unknown format",
      () => cacheDataFrame(redis.conn, "bad:1", frame, { format: "csv" as never }),
      "format",
    ],
    [
      "IPC with snappy",
      () => cacheDataFrame(redis.conn, "bad:1", frame, { compression: "snappy" }),
      "compression",
    ],
    ["negative ttl", () => cacheDataFrame(redis.conn, "bad:1", frame, { ttl: -1 }), "ttl"],
    ["zero ttl", () => cacheDataFrame(redis.conn, "bad:1", frame, { ttl: 0 }), "ttl"],
    ["NaN ttl", () => cacheDataFrame(redis.conn, "bad:1", frame, { ttl: Number.NaN }), "ttl"],
    [
      "chunk over 512 MB",
      () => cacheDataFrame(redis.conn, "bad:1", frame, { chunkBytes: 2 ** 30 }),
      "chunkBytes",
    ],
    [
      "fractional chunk",
      () => cacheDataFrame(redis.conn, "bad:1", frame, { chunkBytes: 4096.5 }),
      "chunkBytes",
    ],
    ["negative nRows", () => getCachedDataFrame(redis.conn, "bad:1", { nRows: -1 }), "nRows"],
    [
      "columns not an array",
      () => getCachedDataFrame(redis.conn, "bad:1", { columns: "a" as never }),
      "columns",
    ],
    ["prefix and pattern", () => listCached(redis.conn, { prefix: "a", pattern: "b*" }).next(), "prefix"],
    [
      "a misspelt write option",
      () => cacheDataFrame(redis.conn, "bad:1", frame, { tll: 60 } as never),
      "tll",
    ],
    ["a misspelt read option", () => getCachedDataFrame(redis.conn, "bad:1", { nrows: 1 } as never), "nrows"],
    ["a URL for the connection", () => cacheInfo("redis://localhost" as never, "bad:1"), "connection"],
    ["a null connection", () => listCached(null as never).next(), "connection"],
  ];
  for (const [name, run, argument] of cases) {
    it(name, async () => {
      const before = Number(await redis.conn.call("DBSIZE"));
      const error: unknown = await run().catch((e: unknown) => e);
      expect(InvalidArgumentError.isInstance(error)).toBe(true);
      expect((error as InvalidArgumentError).argument).toBe(argument);
      expect(Number(await redis.conn.call("DBSIZE"))).toBe(before);
    });
  }
});

async function keysMatching(pattern: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const page of redis.conn.scanKeys({ pattern })) keys.push(...page);
  return keys.sort();
}
