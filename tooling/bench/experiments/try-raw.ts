import { HASH_FIELD_NAMES, HASH_KEY_PATTERN, HASH_PROJECTION } from "../src/data/hash-dataset.js";
import { castLikeTheLibrary } from "../src/cases/hashes-read/handwritten-loop.js";
import { readHashesRaw } from "./raw-read-hashes.js";

const port = Number(process.env.PORT ?? 17381);
const shape = (process.env.SHAPE ?? "hmget") as "hmget" | "hgetall";
const pageSize = Number(process.env.PAGE ?? 1000);
const inflight = Number(process.env.INFLIGHT ?? 2);
const frameRows = Number(process.env.FRAME ?? 50000);
const cast = process.env.CAST !== "0";
const proj = process.env.PROJ === "1";
const fields = proj ? HASH_PROJECTION : HASH_FIELD_NAMES;
for (let i = 0; i < 4; i++) {
  const t = performance.now();
  const df = await readHashesRaw({
    host: "127.0.0.1", port, pattern: HASH_KEY_PATTERN, fields, shape, pageSize, pagesInFlight: inflight, frameRows,
    finish: cast ? (f) => castLikeTheLibrary(f, fields as never) : undefined,
  });
  const ms = performance.now() - t;
  console.log(shape, proj ? "proj" : "full", df.height, ms.toFixed(0), "ms", Math.round(df.height / (ms / 1000)), "rows/s");
  if (i === 0 && process.env.SHOW) console.log(df.head(2).toString(), df.schema);
}
console.log("rss MB", (process.resourceUsage().maxRSS / 1024).toFixed(0));
