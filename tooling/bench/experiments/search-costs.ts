/**
 * Where searchHashes' time goes next to the hand-written FT.SEARCH loop (issue 14): loads N benchmark hashes and
 * the search group's index on a private server with RediSearch, then runs the loop and searchHashes alternately
 * (each with its own connection, as the bench cases do), and prints per-run times and the medians.
 * Run: N=200000 RUNS=7 node dist/experiments/search-costs.js  (add --cpu-prof for a profile of the whole run;
 * ONLY=library runs only searchHashes; PROFILE=<file.cpuprofile> profiles the runs only, not the load;
 * URL=redis://127.0.0.1:<port> uses a server you started, loading it when it is empty).
 * Code thrown away by a collection (decision 0189): node --expose-gc --trace-deopt ... | grep "weak objects".
 */
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { connect } from "@polars-redis/core";
import { searchHashes } from "@polars-redis/search";
import { startRedis } from "@polars-redis/testkit";
import { Redis } from "ioredis";
import { HASH_SCHEMA } from "../src/cases/hashes-read/library-schema.js";
import { BUILDER_QUERY, INDEX, SEARCH_DATASET, searchByHand } from "../src/cases/search/index.js";

const N = Number(process.env.N ?? 200_000);
const RUNS = Number(process.env.RUNS ?? 7);
const ONLY = process.env.ONLY;

// URL=redis://host:port: a server of your own with RediSearch (loaded with the data set when empty).
const external = process.env.URL === undefined ? undefined : new URL(process.env.URL);
const server = external
  ? { host: external.hostname, port: Number(external.port), url: external.href, stop: async () => {} }
  : await startRedis({ modules: ["search"] });
const admin = new Redis({ host: server.host, port: server.port });
const empty = (await admin.dbsize()) === 0;
admin.disconnect();
if (empty) {
  const started = performance.now();
  await SEARCH_DATASET.load(server, N);
  console.log(`loaded ${N} hashes + index in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

async function library(): Promise<number> {
  const conn = await connect(server.url);
  try {
    const batchSize = process.env.BATCH === undefined ? undefined : Number(process.env.BATCH);
    return (await searchHashes(conn, { index: INDEX, query: BUILDER_QUERY, schema: HASH_SCHEMA, batchSize }))
      .height;
  } finally {
    await conn.close();
  }
}

const cases: Record<string, () => Promise<number>> = {
  loop: async () => (await searchByHand(server.host, server.port)).height,
  library,
};
const times: Record<string, number[]> = { loop: [], library: [] };
const profiler = process.env.PROFILE === undefined ? undefined : new Session();
if (profiler !== undefined) {
  profiler.connect();
  await profiler.post("Profiler.enable");
  await profiler.post("Profiler.setSamplingInterval", { interval: 100 });
  await profiler.post("Profiler.start");
}
for (let run = 0; run < RUNS; run++) {
  for (const [name, body] of Object.entries(cases)) {
    if (ONLY !== undefined && name !== ONLY) continue;
    // As the bench runner does between repetitions (node --expose-gc).
    (globalThis as { gc?: () => void }).gc?.();
    const cpu = process.cpuUsage();
    const t = performance.now();
    const rows = await body();
    const ms = performance.now() - t;
    const used = process.cpuUsage(cpu);
    times[name]!.push(ms);
    console.log(
      `${name}: ${ms.toFixed(0)} ms, client CPU ${((used.user + used.system) / 1000).toFixed(0)} ms (system ${(used.system / 1000).toFixed(0)}), ${rows} rows`,
    );
  }
}
if (profiler !== undefined) {
  const { profile } = await profiler.post("Profiler.stop");
  writeFileSync(process.env.PROFILE!, JSON.stringify(profile));
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
const loop = median(times.loop!);
const lib = median(times.library!);
console.log(
  `median loop ${loop.toFixed(0)} ms, library ${lib.toFixed(0)} ms, ratio ${(loop / lib).toFixed(2)}x`,
);
