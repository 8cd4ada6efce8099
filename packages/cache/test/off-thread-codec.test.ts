import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, InvalidArgumentError } from "@polars-redis/core";
import { useRedisConnection } from "@polars-redis/testkit/vitest";
import pl from "nodejs-polars";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  type CacheCompression,
  type CacheFormat,
  COMPRESSIONS,
  encodeFrame,
  offThreadDecode,
  segmenting,
} from "../src/codec.js";
import { wholeRead } from "../src/frame-cache.js";
import { cacheDataFrame, getCachedDataFrame } from "../src/index.js";
import { encodeOffThread, offThreadCounts, resolveTempDir } from "../src/off-thread-codec.js";
import { mixedFrame } from "./fixtures/frames.js";

/**
 * Parquet and compressed IPC are encoded (and compressed IPC decoded) on polars' threads through files in a
 * temp directory. These check that the bytes are the in-thread writers' own, that nothing is left behind,
 * and that a directory that fails falls back to the JS thread without losing anything.
 */
const frame = mixedFrame(6000); // nulls, List, Struct, Unicode, Int64 beyond 2^53, datetimes
const ourFiles = (dir: string) =>
  readdirSync(dir).filter((name) => name.startsWith(`polars-redis-${process.pid}-`));

describe("the off-thread codec", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "off-thread-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const format of ["ipc", "parquet"] as const) {
    for (const compression of COMPRESSIONS[format]) {
      if (format === "ipc" && compression === "uncompressed") continue; // always in-thread
      it(`${format} ${compression}: a file the in-thread reader reads back as the frame`, async () => {
        const offThread = await encodeOffThread(frame, format, compression, dir);
        const back = format === "ipc" ? pl.readIPC(offThread) : pl.readParquet(offThread);
        expect(back.frameEqual(frame, true)).toBe(true);
        if (format === "ipc") {
          // IPC: byte for byte writeIPC's (Parquet's page layout may differ; its data does not).
          expect(offThread.equals(frame.writeIPC({ compression: compression as "zstd" }))).toBe(true);
        }
        expect(ourFiles(dir)).toEqual([]);
      });
    }
  }

  it("keeps the JS thread free while polars encodes (the in-thread writer blocks it)", async () => {
    const big = pl.DataFrame({
      x: Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 100_003),
      y: Array.from({ length: 300_000 }, (_, i) => `v${i % 977}`),
    });
    const turnsDuring = async (encode: () => Promise<unknown>) => {
      let turns = 0;
      let running = true;
      const spin = () => {
        if (!running) return;
        turns++;
        setImmediate(spin);
      };
      setImmediate(spin);
      await encode();
      running = false;
      return turns;
    };
    const limits = { bytes: 64 * 1024 * 1024, minBytes: 64 * 1024 * 1024 }; // one segment
    expect(await turnsDuring(() => encodeFrame(big, "parquet", "zstd", { limits, tempDir: false }))).toBe(0);
    expect(
      await turnsDuring(() => encodeFrame(big, "parquet", "zstd", { limits, tempDir: dir })),
    ).toBeGreaterThan(0);
  });

  it("deletes files that processes which are gone left behind, and no others", async () => {
    const sweepDir = mkdtempSync(join(tmpdir(), "off-thread-sweep-"));
    try {
      const gone = spawnSync(process.execPath, ["-e", "process.exit(0)"]).pid!;
      const names = [
        `polars-redis-${gone}-aaaa.arrow`,
        `polars-redis-${process.pid}-bbbb.arrow`,
        `polars-redis-${process.ppid}-cccc.parquet`,
        "someone-else.arrow",
      ];
      for (const name of names) writeFileSync(join(sweepDir, name), "x");
      expect(await resolveTempDir(sweepDir)).toBe(sweepDir);
      await expect.poll(() => existsSync(join(sweepDir, names[0]!))).toBe(false);
      expect(readdirSync(sweepDir).sort()).toEqual(names.slice(1).sort());
    } finally {
      rmSync(sweepDir, { recursive: true, force: true });
    }
  });

  it("refuses a tempDir that is not a path, typed, before anything else", async () => {
    const conn = { call: () => Promise.reject(new Error("nothing may be sent")) } as never;
    for (const bad of [5, "", true, null]) {
      await expect(cacheDataFrame(conn, "k", frame, { tempDir: bad as never })).rejects.toThrow(
        InvalidArgumentError,
      );
      await expect(getCachedDataFrame(conn, "k", { tempDir: bad as never })).rejects.toThrow(
        InvalidArgumentError,
      );
    }
  });
});

describe("off-thread entries on a server", () => {
  const redis = useRedisConnection({ connect });
  const saved = { ...segmenting };
  const savedDecode = { ...offThreadDecode };
  let dir: string;
  beforeAll(() => {
    segmenting.bytes = 64 * 1024; // mixedFrame(6000) in several segments
    segmenting.minBytes = 16 * 1024;
    offThreadDecode.minSegmentBytes = 1024; // and those segments decoded off-thread
    dir = mkdtempSync(join(tmpdir(), "off-thread-server-"));
  });
  afterAll(() => {
    Object.assign(segmenting, saved);
    Object.assign(offThreadDecode, savedDecode);
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => expect(ourFiles(dir)).toEqual([]));

  for (const [format, compression] of [
    ["ipc", "zstd"],
    ["ipc", "lz4"],
    ["parquet", "zstd"],
    ["parquet", "uncompressed"],
  ] as const) {
    it(`${format} ${compression}: written and read off-thread, in-thread, and across the two`, async () => {
      // Read whole, then decoded (the default for small compressed payloads), and a segment at a time.
      for (const maxBytes of [wholeRead.maxBytes, 0]) {
        await writeAndReadBothWays(format, compression, maxBytes);
      }
    });
  }

  async function writeAndReadBothWays(format: CacheFormat, compression: CacheCompression, maxBytes: number) {
    const saved = wholeRead.maxBytes;
    wholeRead.maxBytes = maxBytes;
    try {
      const options = { format, compression, chunkBytes: 8 * 1024 };
      const before = { ...offThreadCounts };
      const offInfo = await cacheDataFrame(redis.conn, "off", frame, { ...options, tempDir: dir });
      expect(offThreadCounts.encoded - before.encoded).toBeGreaterThan(1); // segments, side by side
      const encoded = offThreadCounts.encoded;
      const inInfo = await cacheDataFrame(redis.conn, "in", frame, { ...options, tempDir: false });
      expect(offThreadCounts.encoded).toBe(encoded);
      expect(offInfo.chunks).toBeGreaterThan(2);
      for (const key of ["off", "in"]) {
        for (const tempDir of [dir, false] as const) {
          const decoded = offThreadCounts.decoded;
          const back = (await getCachedDataFrame(redis.conn, key, { tempDir }))!;
          // Compressed IPC of several segments is decoded off-thread; Parquet always in-thread.
          const offThreadRead = format === "ipc" && tempDir !== false;
          expect(offThreadCounts.decoded > decoded).toBe(offThreadRead);
          expect(back.frameEqual(frame, true)).toBe(true);
          const some = (await getCachedDataFrame(redis.conn, key, { tempDir, columns: ["tags", "id"] }))!;
          expect(some.frameEqual(frame.select("tags", "id"), true)).toBe(true);
        }
      }
      expect(inInfo.bytes).toBeGreaterThan(0);
    } finally {
      wholeRead.maxBytes = saved;
    }
  }

  it("decodes compressed IPC segments smaller than offThreadDecode.minSegmentBytes in-thread", async () => {
    await cacheDataFrame(redis.conn, "small-segments", frame, {
      format: "ipc",
      compression: "zstd",
      chunkBytes: 8 * 1024,
      tempDir: dir,
    });
    const decoded = offThreadCounts.decoded;
    offThreadDecode.minSegmentBytes = 64 * 1024 * 1024;
    try {
      expect(
        (await getCachedDataFrame(redis.conn, "small-segments", { tempDir: dir }))!.frameEqual(frame, true),
      ).toBe(true);
    } finally {
      offThreadDecode.minSegmentBytes = 1024;
    }
    expect(offThreadCounts.decoded).toBe(decoded);
    expect(
      (await getCachedDataFrame(redis.conn, "small-segments", { tempDir: dir }))!.frameEqual(frame, true),
    ).toBe(true);
    expect(offThreadCounts.decoded).toBeGreaterThan(decoded);
  });

  it("falls back to the JS thread when the directory cannot be written, or is gone after its check", async () => {
    const missing = join(dir, "never-made");
    await cacheDataFrame(redis.conn, "fallback", frame, {
      format: "ipc",
      compression: "zstd",
      tempDir: missing,
    });
    expect(
      (await getCachedDataFrame(redis.conn, "fallback", { tempDir: missing }))!.frameEqual(frame, true),
    ).toBe(true);

    const vanishing = mkdtempSync(join(tmpdir(), "off-thread-gone-"));
    expect(await resolveTempDir(vanishing)).toBe(vanishing); // checked and usable...
    rmSync(vanishing, { recursive: true }); // ...then gone: every file fails
    for (const [format, compression] of [
      ["ipc", "zstd"],
      ["parquet", "zstd"],
    ] as const) {
      await cacheDataFrame(redis.conn, "gone", frame, { format, compression, tempDir: vanishing });
      const back = (await getCachedDataFrame(redis.conn, "gone", { tempDir: vanishing }))!;
      expect(back.frameEqual(frame, true)).toBe(true);
    }
  });
});
