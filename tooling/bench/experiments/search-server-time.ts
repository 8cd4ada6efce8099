/**
 * Server time (INFO commandstats) of ways to read the search group's 1%-selective query with all fields
 * (issue 14): what the server spends per variant, apart from the client. Loads N hashes + the index on a
 * private server, runs each variant RUNS times, prints the best total of usec per variant.
 * Run: N=1000000 RUNS=5 node dist/experiments/search-server-time.js
 */
import { startRedis } from "@polars-redis/testkit";
import { Redis } from "ioredis";
import { INDEX, SEARCH_DATASET } from "../src/cases/search/index.js";

const N = Number(process.env.N ?? 1_000_000);
const RUNS = Number(process.env.RUNS ?? 5);
const QUERY = ["@city:{Paris} @age:[18 35]", "TIMEOUT", "0", "DIALECT", "2"];

await using server = await startRedis({ modules: ["search"] });
await SEARCH_DATASET.load(server, N);
const redis = new Redis({ host: server.host, port: server.port });

async function serverUsec(): Promise<number> {
  const stats = await redis.info("commandstats");
  let total = 0;
  for (const match of stats.matchAll(/cmdstat_(\S+?):calls=(\d+),usec=(\d+)/g))
    if (!/^(info|config)/i.test(match[1]!)) total += Number(match[3]);
  return total;
}

async function cursorKeys(load: string[]): Promise<string[]> {
  const keys: string[] = [];
  let reply = (await redis.call(
    "FT.AGGREGATE",
    INDEX,
    QUERY[0]!,
    ...load,
    "WITHCURSOR",
    "COUNT",
    "1000",
    ...QUERY.slice(1),
  )) as [unknown[], number];
  for (;;) {
    for (const row of reply[0].slice(1) as string[][]) keys.push(row[1]!);
    if (Number(reply[1]) === 0) return keys;
    reply = (await redis.call("FT.CURSOR", "READ", INDEX, String(reply[1]), "COUNT", "1000")) as [
      unknown[],
      number,
    ];
  }
}

async function hgetall(keys: string[]): Promise<void> {
  for (let i = 0; i < keys.length; i += 1000) {
    const pipeline = redis.pipeline();
    for (const key of keys.slice(i, i + 1000)) pipeline.hgetall(key);
    await pipeline.exec();
  }
}

const variants: Record<string, () => Promise<unknown>> = {
  "FT.SEARCH LIMIT pages of 1000, all fields (the loop)": async () => {
    for (let offset = 0; ; offset += 1000) {
      const reply = (await redis.call(
        "FT.SEARCH",
        INDEX,
        QUERY[0]!,
        "LIMIT",
        String(offset),
        "1000",
        ...QUERY.slice(1),
      )) as unknown[];
      if (offset + 1000 >= Number(reply[0])) return;
    }
  },
  "FT.AGGREGATE cursor LOAD @__key LOAD * (searchHashes)": () =>
    cursorKeys(["LOAD", "1", "@__key", "LOAD", "*"]),
  "FT.AGGREGATE cursor LOAD @__key only": () => cursorKeys(["LOAD", "1", "@__key"]),
  "FT.AGGREGATE cursor LOAD @__key, then pipelined HGETALL": async () =>
    hgetall(await cursorKeys(["LOAD", "1", "@__key"])),
  "FT.SEARCH LIMIT 0 10000, all fields (query once)": () =>
    redis.call("FT.SEARCH", INDEX, QUERY[0]!, "LIMIT", "0", "10000", ...QUERY.slice(1)),
  "FT.SEARCH LIMIT 0 0 (the count)": () =>
    redis.call("FT.SEARCH", INDEX, QUERY[0]!, "LIMIT", "0", "0", ...QUERY.slice(1)),
  "FT.SEARCH NOCONTENT LIMIT 0 10000 (query once)": () =>
    redis.call("FT.SEARCH", INDEX, QUERY[0]!, "NOCONTENT", "LIMIT", "0", "10000", ...QUERY.slice(1)),
};

for (const [name, run] of Object.entries(variants)) {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < RUNS; i++) {
    await redis.config("RESETSTAT");
    await run();
    best = Math.min(best, await serverUsec());
  }
  console.log(`${(best / 1000).toFixed(1).padStart(8)} ms  ${name}`);
}
redis.disconnect();
