import { useRedis } from "@polars-redis/testkit/vitest";
import { Cluster, Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  generateChangeEvents,
  generateHashes,
  generateJsonDocuments,
  generateLists,
  generateSets,
  generateSortedSets,
  generateTimeSeries,
  loadChangeEvents,
  loadHashes,
  loadJsonDocuments,
  loadLists,
  loadSets,
  loadSortedSets,
  loadTimeSeries,
  startCluster,
  uniqueKeyPrefix,
  uniqueStreamName,
} from "../src/index.js";

const fixture = useRedis();
let redis: Redis;

beforeAll(async () => {
  redis = new Redis(fixture.server.url);
});

afterAll(async () => {
  redis?.disconnect();
});

describe("loaders on a single server", () => {
  it("loadHashes writes every hash exactly as generated, and a rerun leaves no stale fields", async () => {
    const keyPrefix = uniqueKeyPrefix("hashes");
    const data = generateHashes({ count: 20_000, seed: 5, keyPrefix });
    await redis.hset(`${keyPrefix}0`, "stale", "field");
    const started = performance.now();
    expect(await loadHashes(redis, data)).toBe(20_000);
    console.info(`loadHashes: 20000 hashes in ${Math.round(performance.now() - started)} ms`);
    for (const index of [0, 1, 777, 19_999]) {
      const stored = await redis.hgetall(data.keys[index]!);
      const fields = data.fieldsOf(index);
      const expected = Object.fromEntries(
        fields.flatMap((_, i) => (i % 2 === 0 ? [[fields[i], fields[i + 1]]] : [])),
      );
      expect(stored).toEqual(expected);
    }
    const [, firstPage] = await redis.scan("0", "MATCH", `${keyPrefix}*`, "COUNT", 100_000);
    expect(firstPage.length).toBe(20_000);
  });

  it("loadSets / loadLists / loadSortedSets store members, order and scores", async () => {
    const sets = generateSets({ count: 100, seed: 1, keyPrefix: uniqueKeyPrefix("sets") });
    const lists = generateLists({ count: 100, seed: 1, keyPrefix: uniqueKeyPrefix("lists") });
    const zsets = generateSortedSets({ count: 100, seed: 1, keyPrefix: uniqueKeyPrefix("zsets") });
    await loadSets(redis, sets, { batchSize: 7 });
    await loadLists(redis, lists);
    await loadLists(redis, lists); // a rerun replaces, it does not append
    await loadSortedSets(redis, zsets);
    expect((await redis.smembers(sets.keys[3]!)).sort()).toEqual([...sets.members[3]!].sort());
    expect(await redis.lrange(lists.keys[3]!, 0, -1)).toEqual(lists.items[3]);
    const withScores = await redis.zrange(zsets.keys[3]!, 0, "-1", "WITHSCORES");
    // Redis 7.0 prints RESP3 doubles with 17 digits ("-92.049999999999997"): compare as numbers.
    const stored = withScores.flatMap((value, i) =>
      i % 2 === 0 ? [{ member: value, score: Number(withScores[i + 1]) }] : [],
    );
    expect(stored).toEqual(zsets.entries[3]);
  });

  it("loadChangeEvents appends every event with its explicit id", async () => {
    const stream = uniqueStreamName("changes");
    const events = generateChangeEvents({ count: 3_000, seed: 4 });
    expect(await loadChangeEvents(redis, stream, events)).toBe(3_000);
    expect(await redis.xlen(stream)).toBe(3_000);
    const [[firstId, firstFields]] = (await redis.xrange(stream, "-", "+", "COUNT", 1)) as [
      [string, string[]],
    ];
    expect(firstId).toBe(events.entryIds[0]);
    expect(firstFields).toEqual(events.fieldsOf(0));
    const [[lastId]] = (await redis.xrevrange(stream, "+", "-", "COUNT", 1)) as [[string, string[]]];
    expect(lastId).toBe(events.entryIds[2_999]);
  });

  it("loadJsonDocuments with SET stores the JSON text on a server without RedisJSON", async () => {
    const documents = generateJsonDocuments({ count: 50, seed: 2, keyPrefix: uniqueKeyPrefix("docs") });
    await loadJsonDocuments(redis, documents, { command: "SET" });
    expect(JSON.parse((await redis.get(documents.keys[7]!))!)).toEqual(documents.documents[7]);
  });

  it("a loader reports the key whose command failed", async () => {
    const documents = generateJsonDocuments({ count: 3, seed: 2, keyPrefix: uniqueKeyPrefix("nojson") });
    // This server has no JSON module: JSON.SET is an unknown command.
    await expect(loadJsonDocuments(redis, documents)).rejects.toThrow(
      new RegExp(`loading "${documents.keys[0]}" failed: ERR unknown command`),
    );
    await expect(loadHashes(redis, generateHashes({ count: 1 }), { batchSize: 0 })).rejects.toThrow(
      RangeError,
    );
  });
});

const stackUrl = process.env.REDIS_STACK_URL;
if (!stackUrl) console.info("data-loaders: Redis Stack lane skipped: REDIS_STACK_URL is not set");

describe.skipIf(!stackUrl)("loaders on Redis Stack (REDIS_STACK_URL)", () => {
  it("loadJsonDocuments with JSON.SET round-trips through JSON.GET", async () => {
    const stack = new Redis(stackUrl!);
    try {
      const documents = generateJsonDocuments({
        count: 20,
        seed: 2,
        keyPrefix: uniqueKeyPrefix("stackdocs"),
      });
      await loadJsonDocuments(stack, documents);
      const stored = JSON.parse(String(await stack.call("JSON.GET", documents.keys[4]!, "$")));
      expect(stored).toEqual([documents.documents[4]]);
      await stack.del(...documents.keys);
    } finally {
      stack.disconnect();
    }
  });

  it("loadTimeSeries creates labelled series and adds every point", async () => {
    const stack = new Redis(stackUrl!);
    try {
      const series = generateTimeSeries({
        series: 3,
        pointsPerSeries: 500,
        seed: 1,
        keyPrefix: uniqueKeyPrefix("ts"),
      });
      expect(await loadTimeSeries(stack, series, { batchSize: 200 })).toBe(1_500);
      const range = (await stack.call("TS.RANGE", series.keys[1]!, "-", "+")) as Array<[number, string]>;
      expect(range).toHaveLength(500);
      expect(Number(range[10]![1])).toBeCloseTo(series.values[1]![10]!, 6);
      await stack.del(...series.keys);
    } finally {
      stack.disconnect();
    }
  });
});

describe("loaders on a cluster", () => {
  it("group keys by node so every pipeline stays on one node", async () => {
    await using cluster = await startCluster({ masters: 3, replicasPerMaster: 0 });
    const client = new Cluster(cluster.seeds);
    try {
      const data = generateHashes({ count: 3_000, seed: 8, keyPrefix: uniqueKeyPrefix("clustered") });
      expect(await loadHashes(client, data, { batchSize: 250 })).toBe(3_000);
      for (const index of [0, 1_500, 2_999]) {
        expect(await client.hget(data.keys[index]!, "id")).toBe(String(data.columns.id[index]));
      }
      let total = 0;
      for (const node of client.nodes("master")) total += await node.dbsize();
      expect(total).toBe(3_000);
    } finally {
      client.disconnect();
    }
  });
});

/** Records the commands a loader pipelines, for the module commands no server here can run. */
function recordingClient() {
  const commands: string[][] = [];
  const pipeline = () => {
    const queued: string[][] = [];
    const queue = (command: string[]) => {
      queued.push(command);
      return recorder;
    };
    const recorder = {
      get length() {
        return queued.length;
      },
      del: (key: string) => queue(["DEL", key]),
      set: (key: string, value: string) => queue(["SET", key, value]),
      call: (...args: string[]) => queue(args),
      exec: async () => {
        commands.push(...queued);
        return queued.map(() => [null, "OK"]);
      },
    };
    return recorder;
  };
  return { client: { isCluster: false, pipeline } as unknown as Redis, commands };
}

describe("module command arguments (RedisJSON / RedisTimeSeries reference syntax)", () => {
  it("loadJsonDocuments sends JSON.SET key $ <document>", async () => {
    const { client, commands } = recordingClient();
    const documents = generateJsonDocuments({ count: 2, seed: 1 });
    await loadJsonDocuments(client, documents);
    expect(commands).toEqual([
      ["DEL", "doc:0"],
      ["JSON.SET", "doc:0", "$", JSON.stringify(documents.documents[0])],
      ["DEL", "doc:1"],
      ["JSON.SET", "doc:1", "$", JSON.stringify(documents.documents[1])],
    ]);
  });

  it("loadTimeSeries sends TS.CREATE with labels, then TS.MADD key timestamp value triples", async () => {
    const { client, commands } = recordingClient();
    const series = generateTimeSeries({
      series: 2,
      pointsPerSeries: 3,
      seed: 1,
      startMs: 1_000,
      intervalMs: 10,
    });
    expect(await loadTimeSeries(client, series, { batchSize: 2 })).toBe(6);
    const { sensor, region, device } = series.labels[0]!;
    expect(commands.slice(0, 2)).toEqual([
      ["DEL", "ts:0"],
      [
        "TS.CREATE",
        "ts:0",
        "DUPLICATE_POLICY",
        "LAST",
        "LABELS",
        "sensor",
        sensor,
        "region",
        region,
        "device",
        device,
      ],
    ]);
    const values = series.values[1]!;
    expect(commands.filter((command) => command[0] === "TS.MADD" && command[1] === "ts:1")).toEqual([
      ["TS.MADD", "ts:1", "1000", String(values[0]), "ts:1", "1010", String(values[1])],
      ["TS.MADD", "ts:1", "1020", String(values[2])],
    ]);
  });
});
