import { connect, readHashes } from "@polars-redis/core";
import { HASH_KEY_PATTERN, HASH_PROJECTION } from "../../data/hash-dataset.js";
import type { BenchCase } from "../../registry/bench-case.js";
import { HASH_SCHEMA } from "./library-schema.js";

/** `readHashes` as a user calls it: the library's defaults unless the case names an option. */
function readHashesCase(
  name: string,
  options: { parallel?: number; batchSize?: number; columns?: readonly string[] },
): BenchCase {
  return {
    name,
    expectedRows: (size) => size,
    async run({ server }) {
      const connection = await connect(server.url);
      try {
        const frame = await readHashes(connection, {
          pattern: HASH_KEY_PATTERN,
          schema: HASH_SCHEMA,
          ...options,
        });
        return { rows: frame.height };
      } finally {
        await connection.close();
      }
    },
  };
}

export const readHashesCases: readonly BenchCase[] = [
  readHashesCase("readHashes (defaults: batchSize 1000, parallel 1)", {}),
  readHashesCase("readHashes, 3-field projection", { columns: HASH_PROJECTION }),
  readHashesCase("readHashes parallel=2", { parallel: 2 }),
  readHashesCase("readHashes parallel=4", { parallel: 4 }),
  readHashesCase("readHashes parallel=8", { parallel: 8 }),
];
