import { HASH_KEY_PATTERN, HASH_PROJECTION } from "../src/data/hash-dataset.js";
import { loadHashes } from "../src/data/load-hashes.js";
import { readHashesByHand } from "../src/cases/hashes-read/handwritten-loop.js";

const port = Number(process.env.PORT ?? 17381);
const n = Number(process.env.N ?? 100000);
if (process.env.LOAD) {
  const t = performance.now();
  await loadHashes({ host: "127.0.0.1", port }, n);
  console.log("load", n, (performance.now() - t).toFixed(0), "ms");
}
for (let i = 0; i < 3; i++) {
  const t = performance.now();
  const df = await readHashesByHand({ host: "127.0.0.1", port, pattern: HASH_KEY_PATTERN, batchSize: 1000 });
  const ms = performance.now() - t;
  console.log("loop", df.height, ms.toFixed(0), "ms", Math.round(df.height / (ms / 1000)), "rows/s");
  if (i === 0) console.log(df.head(2).toString(), df.schema);
}
const t = performance.now();
const df = await readHashesByHand({ host: "127.0.0.1", port, pattern: HASH_KEY_PATTERN, batchSize: 1000, columns: HASH_PROJECTION });
console.log("loop proj", df.height, (performance.now() - t).toFixed(0));
console.log("rss MB", process.resourceUsage().maxRSS / 1024);
