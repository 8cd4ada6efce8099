import pl from "nodejs-polars";
import { readHashesWithBufferBatches } from "../../../experiments/batch-buffers-to-arrow.js";
import { readHashesWithStringBatches } from "../../../experiments/batch-strings-to-series.js";
import { readHashesRaw } from "../../../experiments/raw-read-hashes.js";
import { HASH_FIELD_NAMES, HASH_KEY_PATTERN, HASH_PROJECTION } from "../../data/hash-dataset.js";
import { HASHES_DATASET } from "../../data/hashes-dataset.js";
import type { BenchCase, CaseContext, CaseGroup } from "../../registry/bench-case.js";
import { castLikeTheLibrary } from "../hashes-read/handwritten-loop.js";
import { READ_BATCH_SIZE } from "../hashes-read/index.js";

/** Rows per Polars hand-over: large enough that the fixed cost of each native call is noise. */
const FRAME_ROWS = 50_000;

function frameOf(frames: pl.DataFrame[]): pl.DataFrame {
  return frames.length === 1 ? frames[0]! : pl.concat(frames, { how: "vertical", rechunk: false });
}

function rawCase(
  name: string,
  shape: "hmget" | "hgetall",
  fields: readonly string[],
  pagesInFlight: number,
  pageSize = READ_BATCH_SIZE,
): BenchCase {
  return {
    name,
    expectedRows: (size) => size,
    async run({ server }: CaseContext) {
      const frame = await readHashesRaw({
        host: server.host,
        port: server.port,
        pattern: HASH_KEY_PATTERN,
        fields,
        shape,
        pageSize,
        pagesInFlight,
        frameRows: FRAME_ROWS,
        finish: (f) => castLikeTheLibrary(f, fields as never),
      });
      return { rows: frame.height };
    },
  };
}

/** Prototypes of faster read paths (tooling/bench/experiments), measured against the same loop and ceiling. */
export const hashesReadExperimentsGroup: CaseGroup = {
  name: "hashes-read-experiments",
  description: "Prototype read paths for hashes",
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
      name: "batch(HMGET, buffers) → Arrow IPC",
      expectedRows: (size) => size,
      async run({ server }) {
        const frames = await readHashesWithBufferBatches({
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
    rawCase("raw RESP socket, HGETALL → Arrow IPC", "hgetall", HASH_FIELD_NAMES, 2),
    rawCase("raw RESP socket, HMGET → Arrow IPC", "hmget", HASH_FIELD_NAMES, 2),
    rawCase("raw RESP socket, HMGET, 1 page in flight", "hmget", HASH_FIELD_NAMES, 1),
    rawCase("raw RESP socket, HMGET, 8 pages in flight", "hmget", HASH_FIELD_NAMES, 8),
    rawCase("raw RESP socket, HMGET, pages of 5000", "hmget", HASH_FIELD_NAMES, 2, 5000),
    rawCase("raw RESP socket, 3 fields (HMGET)", "hmget", HASH_PROJECTION, 2),
  ],
};
