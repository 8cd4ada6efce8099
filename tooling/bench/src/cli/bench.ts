/**
 * `pnpm bench`: starts a private redis-server (never the one on 6379), loads each data set, runs the selected
 * case groups side by side, prints the table and writes tooling/bench/results/<timestamp>.json.
 */
import { cpus, totalmem } from "node:os";
import { fileURLToPath } from "node:url";
import { startRedis } from "@polars-redis/testkit";
import { Redis } from "ioredis";
import { CASE_GROUPS } from "../registry/case-registry.js";
import { writeResults } from "../report/bench-results.js";
import { formatResultsTable } from "../report/format-table.js";
import { settingsFromEnvironment, withDefaultSizes } from "../runner/bench-settings.js";
import { runBenchmarks } from "../runner/run-benchmarks.js";

const resultsDirectory = fileURLToPath(new URL("../../../results/", import.meta.url));
const settings = withDefaultSizes(settingsFromEnvironment(process.env, resultsDirectory));
const groups = CASE_GROUPS.filter((group) =>
  settings.groups.length > 0 ? settings.groups.includes(group.name) : !group.optIn,
);
const unknown = settings.groups.filter((name) => !CASE_GROUPS.some((group) => group.name === name));
if (unknown.length > 0) {
  console.error(
    `unknown BENCH_GROUPS: ${unknown.join(", ")}; known: ${CASE_GROUPS.map((g) => g.name).join(", ")}`,
  );
  process.exit(2);
}

const startedAt = new Date().toISOString();
// A save-less, AOF-less server: persistence would put disk writes on the server's clock.
// Modules the selected groups need (RediSearch for the search group), from REDIS_MODULES_DIR / shared/redis-modules.
const modules = [...new Set(groups.flatMap((group) => group.modules ?? []))];
await using server = await startRedis({ modules });
const admin = new Redis({ host: server.host, port: server.port, lazyConnect: true });
await admin.connect();
const redisVersion = /redis_version:(\S+)/.exec(await admin.info("server"))?.[1] ?? "unknown";
console.log(
  `redis-server ${redisVersion} on ${server.url}; sizes ${settings.sizes.join(", ")}; ` +
    `${settings.warmups} warm-up + ${settings.repetitions} timed runs per case, ${settings.rounds} round(s)`,
);

const results = await runBenchmarks(server, groups, settings, {
  flush: async () => {
    await admin.flushall();
  },
  onProgress: (message) => console.log(message),
});
admin.disconnect();

const path = writeResults(settings.resultsDirectory, {
  format: "polars-redis-bench/1",
  startedAt,
  finishedAt: new Date().toISOString(),
  environment: {
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? "unknown",
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    redis: redisVersion,
  },
  settings: {
    sizes: settings.sizes,
    warmups: settings.warmups,
    repetitions: settings.repetitions,
    rounds: settings.rounds,
    groups: groups.map((group) => group.name),
  },
  results,
});
console.log(`\n${formatResultsTable(results)}\n\nresults: ${path}`);
if (results.some((result) => result.error)) process.exitCode = 1;
