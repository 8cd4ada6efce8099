import { existsSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cacheDataFrame, cached, getCachedDataFrame } from "@polars-redis/cache";
import { connect, type RedisConnection } from "@polars-redis/core";
import { Redis } from "ioredis";
import pl from "nodejs-polars";
import type { BenchCase, BenchDataset, BenchServer, CaseGroup } from "../../registry/bench-case.js";
import { buildCacheFrame } from "./cache-frame.js";
import { decodeWhole, encodeWhole, FORMATS } from "./hand-written.js";
import { rawGet, rawSet } from "./raw-socket.js";

/**
 * The cache groups take BENCH_SIZES as rows of a ~100-byte-per-row frame (see cache-frame.ts): 100000 ≈ 10 MB,
 * 1000000 ≈ 100 MB, 10000000 ≈ 1 GB. Their rows/s times the frame's uncompressed IPC bytes per row is MB/s;
 * (peak RSS − start RSS) ÷ the IPC bytes (printed when the data set loads) is peak RSS per frame size, where
 * the start is taken after each case's `prepare` ran its code once on a 200 KB frame (see PREPARE_ROWS).
 *
 * Limiting the matrix (a 1 GB run of every format takes long): BENCH_CASES selects cases by name, e.g.
 * `BENCH_CASES="ceiling,hand-written,ipc uncompressed,ipc zstd"`; the read group's data set then stores only
 * the entries its selected cases read.
 */

/**
 * The hand-written way with a codec, for the codec's own comparison (the group's baseline stays uncompressed
 * `writeIPC()` + SET, so its "× loop" column compares every codec with that): `writeIPC({ compression })` /
 * `writeParquet({ compression })` + SET, GET + `readIPC()` / `readParquet()`.
 */
const HAND_WRITTEN_CODECS = FORMATS.filter(
  ([format, compression]) => format === "parquet" || compression !== "uncompressed",
);

function handWrittenWriteName(format: string, compression: string): string {
  return `hand-written ${format} ${compression}: write + SET`;
}

function handWrittenReadName(format: string, compression: string): string {
  return `hand-written ${format} ${compression}: GET + read`;
}

const everyRow = (size: number) => size;

/** Where the write group's frame is kept between cases: built once per size by the runner. */
function frameFile(size: number): string {
  return join(
    tmpdir(),
    `polars-redis-bench-cache-frame-v1-${size}.ipc` /* bump v1 when buildCacheFrame changes */,
  );
}

/**
 * The write cases read their frame from an IPC file the runner wrote (a dataset), so the worker's memory holds
 * the frame itself and nothing of how it was built: peak RSS minus start RSS is the frame plus what the
 * write costs.
 */
const frameDataset: BenchDataset = {
  id: "cache-frame-file",
  async load(server, size) {
    await flush(server);
    if (!existsSync(frameFile(size))) writeFileSync(frameFile(size), buildCacheFrame(size).writeIPC());
    console.log(`  cache frame × ${size}: ${describeBytes(statSync(frameFile(size)).size)} as IPC`);
  },
};

/**
 * The frame, read once per worker process (each case runs in one): a repetition that read it again would count
 * the previous repetition's frame in the peak RSS until polars' finalizers free it.
 */
const frames = new Map<number, pl.DataFrame>();

function loadFrame(size: number): pl.DataFrame {
  let frame = frames.get(size);
  if (frame === undefined) {
    frame = pl.readIPC(frameFile(size));
    frames.set(size, frame);
  }
  return frame;
}

async function withConnection<T>(
  server: BenchServer,
  use: (conn: RedisConnection) => Promise<T>,
): Promise<T> {
  const conn = await connect(server.url, { commandTimeoutMs: 600_000 });
  try {
    return await use(conn);
  } finally {
    await conn.close();
  }
}

async function withIoredis<T>(server: BenchServer, use: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis({ host: server.host, port: server.port, lazyConnect: true });
  await redis.connect();
  try {
    return await use(redis);
  } finally {
    redis.disconnect();
  }
}

/**
 * Empties the server and lets it take a 1 GB value in one command (the hand-written way's SET/GET): the
 * defaults cap a bulk string at 512 MB and a client's query buffer at 1 GB.
 */
async function flush(server: BenchServer): Promise<void> {
  await withIoredis(server, async (redis) => {
    await redis.flushall();
    await redis.config("SET", "proto-max-bulk-len", String(2 * 1024 ** 3));
    await redis.config("SET", "client-query-buffer-limit", String(3 * 1024 ** 3));
  });
}

/** BENCH_CASES as the runner reads it: a case runs when its lowercased name contains one of the filters. */
function caseSelected(name: string): boolean {
  const filters = (process.env.BENCH_CASES ?? "")
    .split(",")
    .map((text) => text.trim().toLowerCase())
    .filter((text) => text !== "");
  return filters.length === 0 || filters.some((filter) => name.toLowerCase().includes(filter));
}

/**
 * Rows of the frame the cases' `prepare` runs their code on before the worker's RSS at start is taken: 200 KB,
 * written as a chunk (`inlineBytes: 0`), so the raw channel and polars' codecs are in use. Their first use costs
 * ~10 MB of code pages, JIT and pools, measured: the process's, not the operation's, ~1× of a 10 MB frame.
 * The frame is small so that what it frees (kept by the allocators for reuse, counted in RSS at start) cannot
 * hide the case's own memory: with a 2 MB frame a 10 MB Parquet read measured 0.4× the frame, impossible.
 */
const PREPARE_ROWS = 2_000;
const smallFrame = (): pl.DataFrame => buildCacheFrame(PREPARE_ROWS);

function describeBytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

const writeCases: BenchCase[] = [
  {
    name: "server ceiling: raw socket pipelined SET of the IPC bytes (32 MiB pieces)",
    role: "ceiling",
    expectedRows: everyRow,
    async prepare({ server }) {
      await rawSet(server, "prepare:raw", smallFrame().writeIPC());
    },
    async run({ server, size }) {
      const frame = loadFrame(size);
      const payload = frame.writeIPC();
      await flush(server);
      return { rows: frame.height, elapsedMs: await rawSet(server, "ceiling", payload) };
    },
  },
  {
    name: "hand-written: writeIPC() + SET",
    role: "baseline",
    expectedRows: everyRow,
    async prepare({ server }) {
      await withIoredis(server, (redis) => redis.set("prepare:hand", smallFrame().writeIPC()));
    },
    async run({ server, size }) {
      const frame = loadFrame(size);
      await flush(server);
      return withIoredis(server, async (redis) => {
        const started = performance.now();
        await redis.set("handwritten", frame.writeIPC());
        return { rows: frame.height, elapsedMs: performance.now() - started };
      });
    },
  },
  ...HAND_WRITTEN_CODECS.map(
    ([format, compression]): BenchCase => ({
      name: handWrittenWriteName(format, compression),
      expectedRows: everyRow,
      async prepare({ server }) {
        await withIoredis(server, (redis) =>
          redis.set("prepare:hand", encodeWhole(smallFrame(), format, compression)),
        );
      },
      async run({ server, size }) {
        const frame = loadFrame(size);
        await flush(server);
        return withIoredis(server, async (redis) => {
          const started = performance.now();
          await redis.set("handwritten", encodeWhole(frame, format, compression));
          return { rows: frame.height, elapsedMs: performance.now() - started };
        });
      },
    }),
  ),
  ...FORMATS.map(
    ([format, compression]): BenchCase => ({
      name: `cacheDataFrame ${format} ${compression}`,
      expectedRows: everyRow,
      async prepare({ server }) {
        await withConnection(server, (conn) =>
          cacheDataFrame(conn, `prepare:${format}:${compression}`, smallFrame(), {
            format,
            compression,
            inlineBytes: 0,
          }),
        );
      },
      async run({ server, size }) {
        const frame = loadFrame(size);
        await flush(server);
        return withConnection(server, async (conn) => {
          const started = performance.now();
          await cacheDataFrame(conn, "entry", frame, { format, compression });
          return { rows: frame.height, elapsedMs: performance.now() - started };
        });
      },
    }),
  ),
];

/**
 * The read group's data, written once per size by the runner (not in the measured worker), so a read case's
 * peak RSS is the read path alone: the IPC bytes for the raw-socket ceiling, the hand-written key, and one
 * cache entry per format × compression.
 */
const readDataset: BenchDataset = {
  id: "cache-entries",
  async load(server, size) {
    await flush(server);
    const frame = buildCacheFrame(size);
    let payload: Buffer | undefined = frame.writeIPC();
    console.log(`  cache frame × ${size}: ${describeBytes(payload.length)} as IPC`);
    await rawSet(server, "ceiling", payload);
    await withIoredis(server, (redis) => redis.set("ceiling:bytes", String(payload!.length)));
    if (readCases.some((benchCase) => benchCase.role === "baseline" && caseSelected(benchCase.name))) {
      await withIoredis(server, (redis) => redis.set("handwritten", payload!));
    }
    payload = undefined;
    for (const [format, compression] of HAND_WRITTEN_CODECS) {
      if (!caseSelected(handWrittenReadName(format, compression))) continue;
      const bytes = encodeWhole(frame, format, compression);
      await withIoredis(server, (redis) => redis.set(`handwritten:${format}:${compression}`, bytes));
    }
    await withConnection(server, async (conn) => {
      for (const [format, compression] of FORMATS) {
        if (!caseSelected(readCaseName(format, compression))) continue;
        await cacheDataFrame(conn, `entry:${format}:${compression}`, frame, { format, compression });
      }
    });
  },
};

const readCases: BenchCase[] = [
  {
    name: "server ceiling: raw socket pipelined GET of the IPC bytes (32 MiB pieces)",
    role: "ceiling",
    expectedRows: everyRow,
    async prepare({ server }) {
      const payload = smallFrame().writeIPC();
      await rawSet(server, "prepare:raw", payload);
      await rawGet(server, "prepare:raw", payload.length);
    },
    async run({ server, size }) {
      const bytes = await withIoredis(server, async (redis) => Number(await redis.get("ceiling:bytes")));
      return { rows: size, elapsedMs: await rawGet(server, "ceiling", bytes) };
    },
  },
  {
    name: "hand-written: GET + readIPC()",
    role: "baseline",
    expectedRows: everyRow,
    async prepare({ server }) {
      await withIoredis(server, async (redis) => {
        await redis.set("prepare:hand", smallFrame().writeIPC());
        pl.readIPC((await redis.getBuffer("prepare:hand"))!);
      });
    },
    async run({ server }) {
      return withIoredis(server, async (redis) => {
        const started = performance.now();
        const frame = pl.readIPC((await redis.getBuffer("handwritten"))!);
        return { rows: frame.height, elapsedMs: performance.now() - started };
      });
    },
  },
  ...HAND_WRITTEN_CODECS.map(
    ([format, compression]): BenchCase => ({
      name: handWrittenReadName(format, compression),
      expectedRows: everyRow,
      async prepare({ server }) {
        await withIoredis(server, async (redis) => {
          await redis.set("prepare:hand", encodeWhole(smallFrame(), format, compression));
          decodeWhole((await redis.getBuffer("prepare:hand"))!, format);
        });
      },
      async run({ server }) {
        return withIoredis(server, async (redis) => {
          const started = performance.now();
          const frame = decodeWhole((await redis.getBuffer(`handwritten:${format}:${compression}`))!, format);
          return { rows: frame.height, elapsedMs: performance.now() - started };
        });
      },
    }),
  ),
  ...FORMATS.map(
    ([format, compression]): BenchCase => ({
      name: readCaseName(format, compression),
      expectedRows: everyRow,
      async prepare({ server }) {
        await withConnection(server, async (conn) => {
          const key = `prepare:${format}:${compression}`;
          await cacheDataFrame(conn, key, smallFrame(), { format, compression, inlineBytes: 0 });
          await getCachedDataFrame(conn, key);
        });
      },
      async run({ server }) {
        return withConnection(server, async (conn) => {
          const started = performance.now();
          const frame = await getCachedDataFrame(conn, `entry:${format}:${compression}`);
          return { rows: frame!.height, elapsedMs: performance.now() - started };
        });
      },
    }),
  ),
];

function readCaseName(format: string, compression: string): string {
  return `getCachedDataFrame ${format} ${compression}`;
}

/** Calls per repetition of the hit-latency cases; rows/s is calls per second. */
const HIT_CALLS = 200;
/** 10,000 rows of the cache frame: about 1 MB. */
const HIT_ROWS = 10_000;

const hitCases: BenchCase[] = [
  {
    name: "hand-written: GET + readIPC() of a 1 MB frame",
    role: "baseline",
    expectedRows: () => HIT_CALLS,
    async run({ server }) {
      return withIoredis(server, async (redis) => {
        await redis.set("hit:handwritten", buildCacheFrame(HIT_ROWS).writeIPC());
        const started = performance.now();
        for (let call = 0; call < HIT_CALLS; call++) pl.readIPC((await redis.getBuffer("hit:handwritten"))!);
        return { rows: HIT_CALLS, elapsedMs: performance.now() - started };
      });
    },
  },
  {
    name: "cached() hit, 1 MB frame",
    expectedRows: () => HIT_CALLS,
    async run({ server }) {
      return withConnection(server, async (conn) => {
        const frame = buildCacheFrame(HIT_ROWS);
        const report = cached(async (_day: string) => frame, {
          connection: conn,
          name: "bench-hit",
          version: "1",
        });
        await report.invalidate("2024-06-01");
        await report("2024-06-01");
        const started = performance.now();
        for (let call = 0; call < HIT_CALLS; call++) await report("2024-06-01");
        return { rows: HIT_CALLS, elapsedMs: performance.now() - started };
      });
    },
  },
  ...[
    ["getCachedDataFrame, 1 MB frame (inline in the head)", {}],
    ["getCachedDataFrame, 1 MB frame in a chunk (inlineBytes 0)", { inlineBytes: 0 }],
  ].map(
    ([name, options]): BenchCase => ({
      name: name as string,
      expectedRows: () => HIT_CALLS,
      async run({ server }) {
        return withConnection(server, async (conn) => {
          await cacheDataFrame(
            conn,
            "hit:entry",
            buildCacheFrame(HIT_ROWS),
            options as { inlineBytes?: number },
          );
          const started = performance.now();
          for (let call = 0; call < HIT_CALLS; call++) await getCachedDataFrame(conn, "hit:entry");
          return { rows: HIT_CALLS, elapsedMs: performance.now() - started };
        });
      },
    }),
  ),
];

export const cacheWriteGroup: CaseGroup = {
  name: "cache-write",
  description:
    "Store a frame of N rows (~100 B/row as IPC) in Redis: cacheDataFrame per format × compression",
  optIn: true,
  dataset: frameDataset,
  cases: writeCases,
};

export const cacheReadGroup: CaseGroup = {
  name: "cache-read",
  description:
    "Read back a cached frame of N rows (~100 B/row as IPC): getCachedDataFrame per format × compression",
  optIn: true,
  dataset: readDataset,
  cases: readCases,
};

export const cacheHitGroup: CaseGroup = {
  name: "cache-hit",
  description: `cached() hit latency: ${HIT_CALLS} calls returning a 1 MB frame (rows/s = calls/s)`,
  optIn: true,
  cases: hitCases,
};
