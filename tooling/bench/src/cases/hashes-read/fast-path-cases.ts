import { type Command, connect, type ScalarDtype } from "@polars-redis/core";
import { openRawChannel, readHashFrames, resolveDtype } from "@polars-redis/core/internal";
import pl, { type DataFrame } from "nodejs-polars";
import {
  HASH_FIELD_NAMES,
  HASH_KEY_PATTERN,
  HASH_PROJECTION,
  type HashFieldName,
} from "../../data/hash-dataset.js";
import type { BenchCase } from "../../registry/bench-case.js";
import { HASH_SCHEMA } from "./library-schema.js";

interface FastCaseOptions {
  columns?: readonly HashFieldName[];
  pagesInFlight?: number;
  pageSize?: number;
  frameRows?: number;
}

/**
 * The fast path (packages/core/src/scan/hashes/raw over core/src/resp): keys from the connection's SCAN ... TYPE hash, values over a raw
 * RESP2 channel decoded into column bytes, one Arrow IPC hand-over per frame, then the same concat readHashes does.
 */
function fastCase(name: string, options: FastCaseOptions): BenchCase {
  const names = options.columns ?? HASH_FIELD_NAMES;
  const fields = names.map((field) => ({
    name: field,
    dtype: resolveDtype(HASH_SCHEMA[field], field) as ScalarDtype,
  }));
  return {
    name,
    expectedRows: (size) => size,
    async run({ server }) {
      const connection = await connect(server.url);
      try {
        const channel = await openRawChannel({ host: server.host, port: server.port });
        const frames: DataFrame[] = [];
        const keyPages = connection.scanKeys({
          pattern: HASH_KEY_PATTERN,
          type: "hash",
          count: options.pageSize ?? 1000,
        });
        for await (const frame of readHashFrames(channel, keyPages, {
          fields,
          projected: options.columns !== undefined,
          keyColumn: "_key",
          ...(options.pagesInFlight === undefined ? {} : { pagesInFlight: options.pagesInFlight }),
          ...(options.frameRows === undefined ? {} : { frameRows: options.frameRows }),
          keysExist: async (keys) =>
            (await connection.batch(keys.map((key): Command => ["EXISTS", key]))).map((reply) => reply === 1),
        })) {
          frames.push(frame);
        }
        const frame =
          frames.length === 1 ? frames[0]! : pl.concat(frames, { how: "vertical", rechunk: true });
        return { rows: frame.height };
      } finally {
        await connection.close();
      }
    },
  };
}

export const fastPathCases: readonly BenchCase[] = [
  fastCase("fast path: raw RESP → Arrow IPC (HGETALL)", {}),
  fastCase("fast path: 3-field projection (HMGET)", { columns: HASH_PROJECTION }),
  fastCase("fast path: 1 page in flight", { pagesInFlight: 1 }),
  fastCase("fast path: 8 pages in flight", { pagesInFlight: 8 }),
  fastCase("fast path: frames of 10k rows", { frameRows: 10_000 }),
];
