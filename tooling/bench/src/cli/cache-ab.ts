/**
 * The cache against the hand-written way with the same codec, alternating in one process: each round runs
 * every case of a codec once, in an order reversed every other round, and the table gives medians. The bench's
 * groups run every case in a fresh process, and a process's own speed at a polars call moves by up to 1.5×
 * (10 MB Parquet reads land at ~10 or ~15 ms per process, on either side): in one process, both sides share
 * it. A warm-up round is not counted; each round runs a few calls of a case in a row (see CALLS_IN_A_ROW).
 *
 *   pnpm --filter @polars-redis/bench cache-ab
 *   CACHE_AB_ROWS=100000,1000000 CACHE_AB_ROUNDS=9 CACHE_AB_CODECS="ipc zstd,parquet zstd" pnpm ... cache-ab
 */
import { cacheDataFrame, getCachedDataFrame } from "@polars-redis/cache";
import { connect } from "@polars-redis/core";
import { startRedis } from "@polars-redis/testkit";
import { Redis } from "ioredis";
import type pl from "nodejs-polars";
import { buildCacheFrame } from "../cases/cache/cache-frame.js";
import { decodeWhole, encodeWhole, FORMATS } from "../cases/cache/hand-written.js";

const sizes = (process.env.CACHE_AB_ROWS ?? "100000,1000000").split(",").map(Number);
const rounds = Number(process.env.CACHE_AB_ROUNDS ?? 9);
const codecFilter = process.env.CACHE_AB_CODECS?.split(",").map((name) => name.trim());

interface Sample {
  wall: number;
  cpu: number;
}

/**
 * Calls of one case in a row, per round. A call pays for garbage collected while it runs, left by the calls
 * before it: one call of each side in turn charges the side that leaves little garbage (the cache reuses its
 * buffers) for the other's (the hand-written read's reply Buffer, its copies). In a run of calls of one case,
 * each side mostly pays for its own, as in a process that does only that. Measured (10 MB Parquet lz4 reads,
 * medians): one call each in turn 0.53–0.85× the hand-written way; a full GC before every call, outside the
 * time, 0.83–0.95× (the hand-written way's garbage then costs it nothing); runs of 41 calls in a process of
 * their own, 1.15–1.3×.
 */
const CALLS_IN_A_ROW = Number(process.env.CACHE_AB_CALLS_IN_A_ROW ?? 5);

async function measure(run: () => Promise<unknown>): Promise<Sample> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  await run();
  const wall = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { wall, cpu: (used.user + used.system) / 1000 };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;

const server = await startRedis({
  args: ["--proto-max-bulk-len", "2gb", "--client-query-buffer-limit", "2gb"],
});
const conn = await connect(server.url);
const redis = new Redis(server.url);
try {
  console.log(
    `cache A/B, one process, ${rounds} rounds alternating (+1 warm-up) of ${CALLS_IN_A_ROW} calls in a row, medians, ms (client CPU ms)`,
  );
  console.log(
    "| frame | codec | hand-written write | cacheDataFrame | × | hand-written read | getCachedDataFrame | × |",
  );
  console.log("| --- | --- | --- | --- | --- | --- | --- | --- |");
  for (const rows of sizes) {
    const frame = buildCacheFrame(rows);
    const mb = `${(frame.writeIPC().length / 1e6).toFixed(0)} MB`;
    for (const [format, compression] of FORMATS) {
      if (codecFilter && !codecFilter.includes(`${format} ${compression}`)) continue;
      // Writes alternate among themselves, then reads: a read never follows a write's garbage.
      const samples: Record<string, Sample[]> = {
        ...(await alternate({
          handWrite: () => redis.set("ab:hand", encodeWhole(frame, format, compression)),
          ourWrite: () => cacheDataFrame(conn, "ab:ours", frame, { format, compression }),
        })),
        ...(await alternate({
          handRead: async () => checkHeight(decodeWhole((await redis.getBuffer("ab:hand"))!, format), rows),
          ourRead: async () => checkHeight((await getCachedDataFrame(conn, "ab:ours"))!, rows),
        })),
      };
      const cell = (name: string) =>
        `${median(samples[name]!.map((s) => s.wall)).toFixed(1)} (${median(samples[name]!.map((s) => s.cpu)).toFixed(0)})`;
      const ratio = (hand: string, ours: string) =>
        `${(median(samples[hand]!.map((s) => s.wall)) / median(samples[ours]!.map((s) => s.wall))).toFixed(2)}×`;
      console.log(
        `| ${mb} | ${format} ${compression} | ${cell("handWrite")} | ${cell("ourWrite")} | ${ratio("handWrite", "ourWrite")} | ` +
          `${cell("handRead")} | ${cell("ourRead")} | ${ratio("handRead", "ourRead")} |`,
      );
      await redis.del("ab:hand");
    }
  }
} finally {
  redis.disconnect();
  await conn.close();
  await server.stop();
}

/**
 * Runs each case CALLS_IN_A_ROW times per round, the order of the cases reversed every other round; round 0 is
 * a warm-up.
 */
async function alternate(cases: Record<string, () => Promise<unknown>>): Promise<Record<string, Sample[]>> {
  const samples: Record<string, Sample[]> = {};
  for (let round = 0; round <= rounds; round++) {
    const names = Object.keys(cases);
    if (round % 2 === 1) names.reverse();
    for (const name of names) {
      for (let call = 0; call < CALLS_IN_A_ROW; call++) {
        const sample = await measure(cases[name]!);
        if (round === 0) continue;
        samples[name] ??= [];
        samples[name].push(sample);
      }
    }
  }
  return samples;
}

function checkHeight(frame: pl.DataFrame, rows: number): void {
  if (frame.height !== rows) throw new Error(`read ${frame.height} rows, expected ${rows}`);
}
