/** Ad-hoc driver for the raw prototype against a server you started: PORT=... N=... node dist/experiments/try-raw.js */
import { castExpressions, castLikeTheLibrary } from "../src/cases/hashes-read/handwritten-loop.js";
import { HASH_FIELD_NAMES, HASH_KEY_PATTERN, HASH_PROJECTION } from "../src/data/hash-dataset.js";
import { loadHashes } from "../src/data/load-hashes.js";
import { readHashesRaw } from "./raw-read-hashes.js";

const port = Number(process.env.PORT ?? 17381);
const shape = (process.env.SHAPE ?? "hmget") as "hmget" | "hgetall";
const pageSize = Number(process.env.PAGE ?? 1000);
const pagesInFlight = Number(process.env.INFLIGHT ?? 2);
const frameRows = Number(process.env.FRAME ?? 50000);
const cast = process.env.CAST !== "0";
const fields = process.env.PROJ === "1" ? HASH_PROJECTION : HASH_FIELD_NAMES;
if (process.env.LOAD) await loadHashes({ host: "127.0.0.1", port }, Number(process.env.LOAD));
for (let i = 0; i < Number(process.env.REPS ?? 3); i++) {
  const started = performance.now();
  const frame = await readHashesRaw({
    host: "127.0.0.1",
    port,
    pattern: HASH_KEY_PATTERN,
    fields,
    shape,
    pageSize,
    pagesInFlight,
    frameRows,
    ...(cast
      ? process.env.ASYNC === "0"
        ? { finish: (f) => castLikeTheLibrary(f, fields as never) }
        : {
            finish: (f) =>
              f
                .lazy()
                .withColumns(...castExpressions(fields as never))
                .collect(),
          }
      : {}),
  });
  const ms = performance.now() - started;
  console.log(shape, frame.height, ms.toFixed(0), "ms", Math.round(frame.height / (ms / 1000)), "rows/s");
}
console.log("peak RSS MB", (process.resourceUsage().maxRSS / 1024).toFixed(0));
