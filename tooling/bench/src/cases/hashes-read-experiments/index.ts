import type { ScalarDtype } from "@polars-redis/core";
import { resolveDtype } from "@polars-redis/core/internal";
import pl from "nodejs-polars";
import { readHashesWithBufferBatches } from "../../../experiments/batch-buffers-to-arrow.js";
import { readHashesWithStringBatches } from "../../../experiments/batch-strings-to-series.js";
import { HASH_FIELD_NAMES, HASH_KEY_PATTERN } from "../../data/hash-dataset.js";
import { HASHES_DATASET } from "../../data/hashes-dataset.js";
import type { CaseGroup } from "../../registry/bench-case.js";
import { castLikeTheLibrary } from "../hashes-read/handwritten-loop.js";
import { READ_BATCH_SIZE } from "../hashes-read/index.js";
import { HASH_SCHEMA } from "../hashes-read/library-schema.js";

/** Rows per Polars hand-over: large enough that the fixed cost of each native call is noise. */
const FRAME_ROWS = 50_000;

function frameOf(frames: pl.DataFrame[]): pl.DataFrame {
  return frames.length === 1 ? frames[0]! : pl.concat(frames, { how: "vertical", rechunk: false });
}

/**
 * The alternatives measured before choosing the fast path (tooling/bench/experiments): columnar building over
 * the existing ioredis-based `batch`. Opt-in: `BENCH_GROUPS=hashes-read,hashes-read-experiments`.
 */
export const hashesReadExperimentsGroup: CaseGroup = {
  name: "hashes-read-experiments",
  description: "Columnar reads over ioredis's pipeline (the alternatives to the raw channel)",
  dataset: HASHES_DATASET,
  ratiosFrom: "hashes-read",
  optIn: true,
  cases: [
    {
      name: "batch(HMGET) strings → pl.Series per column",
      expectedRows: (size) => size,
      async run({ server }) {
        const frames = await readHashesWithStringBatches({
          url: server.url,
          pattern: HASH_KEY_PATTERN,
          fields: HASH_FIELD_NAMES,
          pageSize: READ_BATCH_SIZE,
          frameRows: FRAME_ROWS,
          finish: (f) => castLikeTheLibrary(f),
        });
        return { rows: frameOf(frames).height };
      },
    },
    {
      name: "batch(HMGET, buffers) → byte columns → Arrow IPC",
      expectedRows: (size) => size,
      async run({ server }) {
        const frames = await readHashesWithBufferBatches({
          url: server.url,
          pattern: HASH_KEY_PATTERN,
          fields: HASH_FIELD_NAMES.map((name) => ({
            name,
            dtype: resolveDtype(HASH_SCHEMA[name], name) as ScalarDtype,
          })),
          pageSize: READ_BATCH_SIZE,
          frameRows: FRAME_ROWS,
        });
        return { rows: frameOf(frames).height };
      },
    },
  ],
};
