import { Writable } from "node:stream";
import { connect, type RedisConnection } from "@polars-redis/core";
import { useRedisConnection } from "@polars-redis/testkit/vitest";
import pl from "nodejs-polars";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  COALESCE_BELOW_BYTES,
  decodeFrame,
  dtypeText,
  encodeFrame,
  schemaOf,
  segmenting,
} from "../src/codec.js";
import { wholeRead } from "../src/frame-cache.js";
import {
  type CacheCompression,
  type CacheFormat,
  cacheDataFrame,
  getCachedDataFrame,
  getCachedTable,
} from "../src/index.js";
import { resolveTempDir } from "../src/off-thread-codec.js";
import { mixedFrame } from "./fixtures/frames.js";

/**
 * A large frame is serialised as several segments (complete IPC or Parquet files of consecutive rows), so the
 * write never holds polars' own copy of the whole payload beside the frame and the buffers handed over. Here
 * with a segment size small enough to cut a small frame into many.
 */
describe("segmented payloads", () => {
  const frame = mixedFrame(6000);
  for (const [format, compression] of [
    ["ipc", "uncompressed"],
    ["ipc", "zstd"],
    ["parquet", "zstd"],
  ] as const) {
    it(`${format} ${compression}: round trip, projection and nRows across segments`, async () => {
      const { parts, segments } = await encodeFrame(frame, format, compression, {
        limits: { bytes: 64 * 1024, minBytes: 16 * 1024 },
        tempDir: false,
      });
      expect(segments.length).toBeGreaterThan(2);
      const payload = Buffer.concat(parts);
      expect(segments.reduce((sum, length) => sum + length, 0)).toBe(payload.length);
      const back = decodeFrame(payload, {}, segments);
      expect(back.frameEqual(frame, true)).toBe(true);
      expect(back.nChunks()).toBe(segments.length);
      const firstRows = decodeFrame(payload.subarray(0, segments[0]!)).height;
      const some = decodeFrame(payload, { columns: ["id", "tags"], nRows: firstRows + 7 }, segments);
      expect(some.columns).toEqual(["id", "tags"]);
      expect(some.frameEqual(frame.select("id", "tags").head(firstRows + 7), true)).toBe(true);
      expect(decodeFrame(payload, { nRows: 0 }, segments).height).toBe(0);
    });
  }

  it("gathers polars' small writes into few parts, keeping large ones as handed out", async () => {
    // polars' Parquet writer hands over one Buffer per page header, length and magic: thousands for this frame.
    let writes = 0;
    frame.writeParquet(
      new Writable({
        write(_chunk, _encoding, callback) {
          writes++;
          callback();
        },
      }),
      { compression: "zstd" },
    );
    const { parts } = await encodeFrame(frame, "parquet", "zstd", { tempDir: false });
    expect(writes).toBeGreaterThan(100);
    expect(parts.length).toBeLessThan(writes / 10);
    // Only the last part of a run of small writes may be short; none is empty.
    for (const part of parts) expect(part.length).toBeGreaterThan(0);
    expect(pl.readParquet(Buffer.concat(parts)).frameEqual(frame, true)).toBe(true);
    const big = pl.DataFrame({ x: Array.from({ length: 50_000 }, (_, i) => i * 1.5) });
    const ipc = await encodeFrame(big, "ipc", "uncompressed");
    expect(ipc.parts.some((part) => part.length >= COALESCE_BELOW_BYTES)).toBe(true);
    expect(pl.readIPC(Buffer.concat(ipc.parts)).frameEqual(big)).toBe(true);
  });

  it("describes the schema as frame.schema's dtypes do, without building Series", () => {
    const expected = Object.fromEntries(
      Object.entries(frame.schema).map(([name, dtype]) => [name, dtypeText(dtype)]),
    );
    expect(schemaOf(frame)).toEqual(expected);
    expect(Object.keys(schemaOf(frame))).toEqual(frame.columns);
  });

  it("in-thread, cuts Parquet and compressed IPC payloads into segments four times larger; off-thread, not", async () => {
    const limits = { bytes: 1024 * 1024, minBytes: 100 * 1024 };
    const estimate = frame.writeIPC().length; // about what encodeFrame estimates from its sample of rows
    expect(estimate).toBeGreaterThan(2 * limits.minBytes);
    expect(estimate).toBeLessThan(2 * 4 * limits.minBytes);
    const tempDir = await resolveTempDir(undefined);
    expect(tempDir).toBeDefined();
    for (const dir of [false, tempDir] as const) {
      const segmentCount = async (format: CacheFormat, compression: CacheCompression) =>
        (await encodeFrame(frame, format, compression, { limits, tempDir: dir })).segments.length;
      const compressedSegments = dir === false ? 1 : await segmentCount("ipc", "uncompressed");
      expect(await segmentCount("ipc", "uncompressed")).toBeGreaterThan(1);
      expect(await segmentCount("ipc", "zstd")).toBe(compressedSegments);
      expect(await segmentCount("parquet", "zstd")).toBe(compressedSegments);
      expect(await segmentCount("parquet", "uncompressed")).toBe(compressedSegments);
    }
  });

  it("keeps a frame below two segments' worth in one", async () => {
    const { segments, parts } = await encodeFrame(frame, "ipc", "uncompressed");
    expect(segments).toHaveLength(1);
    expect(pl.readIPC(Buffer.concat(parts)).height).toBe(6000);
  });
});

describe("segmented entries on a server", () => {
  const redis = useRedisConnection({ connect });
  const frame = mixedFrame(6000);
  const saved = { ...segmenting };
  beforeAll(() => {
    segmenting.bytes = 64 * 1024;
    segmenting.minBytes = 16 * 1024;
  });
  afterAll(() => {
    Object.assign(segmenting, saved);
  });
  /** The same connection without raw channels: the client's GETs, the whole payload, then decoding. */
  const plain = (): RedisConnection =>
    Object.assign(Object.create(redis.conn) as RedisConnection, { openRawChannel: undefined });

  for (const [format, compression] of [
    ["ipc", "uncompressed"],
    ["ipc", "zstd"], // decoded off the JS thread, segments side by side
    ["parquet", "zstd"],
  ] as const) {
    it(`${format} ${compression}: chunks never span two segments; read whole, projected and cut, raw and plain`, async () => {
      const key = `seg:${format}:${compression}`;
      const info = await cacheDataFrame(redis.conn, key, frame, {
        format,
        compression,
        chunkBytes: 8 * 1024,
      });
      const segments = String(await redis.conn.call("HGET", key, "segments"))
        .split(",")
        .map(Number);
      expect(segments.length).toBeGreaterThan(2);
      expect(info.chunks).toBe(segments.reduce((sum, length) => sum + Math.ceil(length / (8 * 1024)), 0));
      const saved = wholeRead.maxBytes;
      // A small compressed payload is read whole, then decoded; 0 reads every payload a segment at a time.
      for (const [conn, maxBytes] of [
        [redis.conn, saved],
        [redis.conn, 0],
        [plain(), saved],
      ] as const) {
        wholeRead.maxBytes = maxBytes;
        const back = (await getCachedDataFrame(conn, key))!;
        expect(back.frameEqual(frame, true)).toBe(true);
        expect(back.nChunks()).toBe(segments.length);
        const some = (await getCachedDataFrame(conn, key, { columns: ["name", "id"], nRows: 2500 }))!;
        expect(some.frameEqual(frame.select("name", "id").head(2500), true)).toBe(true);
      }
      wholeRead.maxBytes = saved;
    });
  }

  it("an uncompressed IPC entry's segments make one arrow Table", async () => {
    await cacheDataFrame(redis.conn, "seg:table", frame);
    const table = (await getCachedTable(redis.conn, "seg:table"))!;
    expect(table.numRows).toBe(6000);
    expect(table.batches.length).toBeGreaterThan(2);
    expect(table.getChild("name")!.get(6)).toBe(frame.getColumn("name").get(6));
  });

  it("readers get whole versions while segmented versions replace each other", async () => {
    const key = "seg:hammer";
    const version = (v: number) =>
      frame.withColumns(pl.lit(v).cast(pl.Int32).alias("version")).head(3000 + (v % 5) * 500);
    const check = (read: pl.DataFrame) => {
      const v = read.getColumn("version").get(0) as number;
      expect(read.frameEqual(version(v), true)).toBe(true);
    };
    const writer = await connect(redis.url);
    let done = false;
    let reads = 0;
    try {
      await cacheDataFrame(writer, key, version(0), { chunkBytes: 16 * 1024, reclaimDelay: 0 });
      const reading = (async () => {
        while (!done) {
          const read = await getCachedDataFrame(redis.conn, key);
          if (read !== null) check(read);
          reads++;
        }
      })();
      for (let v = 1; v <= 15; v++) {
        await cacheDataFrame(writer, key, version(v), { chunkBytes: 16 * 1024, reclaimDelay: 0 });
      }
      done = true;
      await reading;
    } finally {
      done = true;
      await writer.close();
    }
    expect(reads).toBeGreaterThan(0);
    check((await getCachedDataFrame(redis.conn, key))!);
  });
});
