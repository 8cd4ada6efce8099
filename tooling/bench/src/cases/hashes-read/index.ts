import { runRedisBenchmark } from "../../ceiling/redis-benchmark.js";
import { HASH_KEY_BENCHMARK_TEMPLATE, HASH_KEY_PATTERN, HASH_PROJECTION } from "../../data/hash-dataset.js";
import { HASHES_DATASET } from "../../data/hashes-dataset.js";
import type { CaseGroup } from "../../registry/bench-case.js";
import { fastPathCases } from "./fast-path-cases.js";
import { readHashesByHand } from "./handwritten-loop.js";
import { readHashesCases } from "./read-hashes-cases.js";

/** Requests redis-benchmark sends: enough for a steady rate (a few seconds) at any size. */
const CEILING_REQUESTS = 1_000_000;

/** Keys per SCAN page and per pipeline, for every case (the library's default `batchSize`). */
export const READ_BATCH_SIZE = 1000;

const everyKey = (size: number) => size;

export const hashesReadGroup: CaseGroup = {
  name: "hashes-read",
  description: "Read N hashes of 10 fields into one DataFrame",
  dataset: HASHES_DATASET,
  cases: [
    {
      name: "server ceiling: redis-benchmark -P 64 HGETALL",
      role: "ceiling",
      runsIn: "runner",
      async run({ server, size }) {
        const requestsPerSecond = await runRedisBenchmark(server, {
          command: ["HGETALL", HASH_KEY_BENCHMARK_TEMPLATE],
          requests: CEILING_REQUESTS,
          keyspace: size,
          pipeline: 64,
        });
        return { rows: CEILING_REQUESTS, elapsedMs: (CEILING_REQUESTS / requestsPerSecond) * 1000 };
      },
    },
    {
      name: "hand-written loop: SCAN + HGETALL + readRecords",
      role: "baseline",
      expectedRows: everyKey,
      async run({ server }) {
        const frame = await readHashesByHand({
          host: server.host,
          port: server.port,
          pattern: HASH_KEY_PATTERN,
          batchSize: READ_BATCH_SIZE,
        });
        return { rows: frame.height };
      },
    },
    {
      name: "hand-written loop: 3 fields (HMGET)",
      expectedRows: everyKey,
      async run({ server }) {
        const frame = await readHashesByHand({
          host: server.host,
          port: server.port,
          pattern: HASH_KEY_PATTERN,
          batchSize: READ_BATCH_SIZE,
          columns: HASH_PROJECTION,
        });
        return { rows: frame.height };
      },
    },
    ...readHashesCases,
    ...fastPathCases,
  ],
};
