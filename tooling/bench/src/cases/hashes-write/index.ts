import { connect, type RedisConnection } from "@polars-redis/core";
import { type IfExists, writeHashes } from "@polars-redis/writer";
import { runRedisBenchmark } from "../../ceiling/redis-benchmark.js";
import { HASH_KEY_BENCHMARK_TEMPLATE, hashFieldValues } from "../../data/hash-dataset.js";
import type { BenchCase, BenchServer, CaseGroup } from "../../registry/bench-case.js";
import { writeHashesByHand } from "./handwritten-loop.js";
import { buildWriteFrame } from "./write-frame.js";

/** Requests redis-benchmark sends: enough for a steady rate (a few seconds) at any size. */
const CEILING_REQUESTS = 1_000_000;

const everyRow = (size: number) => size;

/** Empties the server before a repetition, so every repetition writes into the same (empty) keyspace. */
async function flush(server: BenchServer): Promise<void> {
  const connection = await connect(server.url);
  try {
    await connection.call("FLUSHALL");
  } finally {
    await connection.close();
  }
}

/** Times `write` alone: the frame is built and the server emptied before the clock starts. */
async function timed(
  server: BenchServer,
  size: number,
  write: (frame: ReturnType<typeof buildWriteFrame>) => Promise<number>,
) {
  const frame = buildWriteFrame(size);
  await flush(server);
  const started = performance.now();
  const rows = await write(frame);
  return { rows, elapsedMs: performance.now() - started };
}

function writeHashesCase(
  name: string,
  options: { ifExists?: IfExists; parallel?: number; batchSize?: number },
): BenchCase {
  return {
    name,
    expectedRows: everyRow,
    async run({ server, size }) {
      const connection: RedisConnection = await connect(server.url);
      try {
        return await timed(server, size, async (frame) => {
          const result = await writeHashes(connection, frame, options);
          if (!result.isCompleteSuccess()) throw new Error(`writeHashes failed ${result.failed} keys`);
          return result.written;
        });
      } finally {
        await connection.close();
      }
    },
  };
}

export const hashesWriteGroup: CaseGroup = {
  name: "hashes-write",
  description: "Write a DataFrame of N rows as hashes of 10 typed fields",
  cases: [
    {
      name: "server ceiling: redis-benchmark -P 64 HSET (10 fields)",
      role: "ceiling",
      runsIn: "runner",
      async run({ server, size }) {
        const requestsPerSecond = await runRedisBenchmark(server, {
          command: ["HSET", HASH_KEY_BENCHMARK_TEMPLATE, ...hashFieldValues(0)],
          requests: CEILING_REQUESTS,
          keyspace: size,
          pipeline: 64,
        });
        return { rows: CEILING_REQUESTS, elapsedMs: (CEILING_REQUESTS / requestsPerSecond) * 1000 };
      },
    },
    {
      name: "hand-written loop: toRecords + pipelined HSET",
      role: "baseline",
      expectedRows: everyRow,
      run: ({ server, size }) => timed(server, size, (frame) => writeHashesByHand(server, frame)),
    },
    writeHashesCase("writeHashes (defaults: replace, atomic per key)", {}),
    writeHashesCase("writeHashes append (HSET merge, like the loop)", { ifExists: "append" }),
    writeHashesCase("writeHashes fail (skip existing keys)", { ifExists: "fail" }),
    writeHashesCase("writeHashes parallel=4", { parallel: 4 }),
    writeHashesCase("writeHashes batchSize=5000", { batchSize: 5000 }),
  ],
};
