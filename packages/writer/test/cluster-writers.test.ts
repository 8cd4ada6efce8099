import { type ClusterConnection, connectCluster } from "@polars-redis/cluster";
import { connect, type RedisConnection, type WriteResult } from "@polars-redis/core";
import { keySlot, migrateSlots } from "@polars-redis/testkit";
import { useClusterConnection, useRedisConnection } from "@polars-redis/testkit/vitest";
import pl from "nodejs-polars";
import { beforeEach, describe, expect, it } from "vitest";
import { writeHashes, writeLists, writeSets, writeStreams, writeStrings, writeZsets } from "../src/index.js";

const clusterFixture = useClusterConnection({
  connect: (cluster): Promise<RedisConnection> => connectCluster(cluster.seeds),
  masters: 3,
  replicasPerMaster: 1,
});
const serverFixture = useRedisConnection({ connect });

async function flushEverywhere(): Promise<void> {
  await serverFixture.conn.call("FLUSHALL");
  for (const node of clusterFixture.cluster.nodes) {
    const admin = await connect(node.url);
    try {
      if ((await node.role()) === "master") await admin.call("FLUSHALL");
    } finally {
      await admin.close();
    }
  }
}

/** A key's type, contents and whether it expires, in a form that compares across servers. */
async function dump(connection: RedisConnection, key: string): Promise<unknown> {
  const type = (await connection.call("TYPE", key)) as string;
  const expires = ((await connection.call("PTTL", key)) as number) > 0;
  const sorted = (values: string[]) => [...values].sort();
  switch (type) {
    case "hash":
      return { type, expires, value: pairs((await connection.call("HGETALL", key)) as string[]) };
    case "set":
      return { type, expires, value: sorted((await connection.call("SMEMBERS", key)) as string[]) };
    case "zset":
      return { type, expires, value: await connection.call("ZRANGE", key, 0, -1, "WITHSCORES") };
    case "list":
      return { type, expires, value: await connection.call("LRANGE", key, 0, -1) };
    case "stream":
      return { type, expires, value: await connection.call("XRANGE", key, "-", "+") };
    case "string":
      return { type, expires, value: await connection.call("GET", key) };
    default:
      return { type };
  }
}

function pairs(flat: string[]): Record<string, string> {
  const record: Record<string, string> = {};
  for (let i = 0; i < flat.length; i += 2) record[flat[i]!] = flat[i + 1]!;
  return record;
}

function summary(result: WriteResult) {
  return {
    written: result.written,
    skipped: [...result.skippedKeys].sort(),
    failed: Object.fromEntries(
      [...result.errors].map(([key, error]) => [key, (error as { redisCode?: string }).redisCode]),
    ),
  };
}

const keys = (count: number, prefix: string) =>
  Array.from({ length: count }, (_, i) => (i % 7 === 0 ? `{tagged}:${prefix}:${i}` : `${prefix}:${i}`));

type Case = [name: string, write: (connection: RedisConnection) => Promise<WriteResult>, written: string[]];

function cases(): Case[] {
  const hashKeys = keys(300, "h");
  const hashes = pl.DataFrame({
    _key: hashKeys,
    a: hashKeys.map((key, i) => (i % 11 === 0 ? null : `a-${key}`)),
    b: hashKeys.map((_, i) => (i % 13 === 0 ? null : String(i))),
  });
  const groupKeys = keys(40, "c");
  const members = Array.from({ length: 1200 }, (_, i) => i);
  const grouped = pl.DataFrame({
    _key: members.map((i) => groupKeys[i % groupKeys.length]!),
    member: members.map((i) => `m${i}`),
    element: members.map((i) => `e${i}`),
    score: members.map((i) => i / 4),
    id: members.map((i) => `${1000 + i}-0`),
  });
  const big = pl.DataFrame({ member: Array.from({ length: 20_000 }, (_, i) => `big${i}`) });
  return [
    ["writeHashes replace", (c) => writeHashes(c, hashes, { ttl: 600 }), hashKeys],
    ["writeHashes append", (c) => writeHashes(c, hashes, { ifExists: "append" }), hashKeys],
    ["writeHashes fail", (c) => writeHashes(c, hashes.head(150), { ifExists: "fail" }), hashKeys],
    ["writeStrings", (c) => writeStrings(c, hashes.select("_key", pl.col("a").alias("value"))), hashKeys],
    [
      "writeSets",
      (c) => writeSets(c, grouped.select("_key", "member"), { keyPrefix: "s:" }),
      groupKeys.map((k) => `s:${k}`),
    ],
    [
      "writeZsets",
      (c) => writeZsets(c, grouped.select("_key", "member", "score"), { keyPrefix: "z:" }),
      groupKeys.map((k) => `z:${k}`),
    ],
    [
      "writeLists",
      (c) => writeLists(c, grouped.select("_key", "element"), { keyPrefix: "l:" }),
      groupKeys.map((k) => `l:${k}`),
    ],
    [
      "writeStreams",
      (c) => writeStreams(c, grouped.select("_key", "id", "member"), { keyPrefix: "x:", idColumn: "id" }),
      groupKeys.map((k) => `x:${k}`),
    ],
    [
      "a large set staged and renamed in its slot",
      (c) => writeSets(c, big.withColumns(pl.lit("bigset").alias("_key"))),
      ["bigset"],
    ],
  ];
}

describe("writers on a 6-node cluster give what a single server gives", () => {
  beforeEach(flushEverywhere);

  for (const [name, write, written] of cases()) {
    it(name, async () => {
      // "fail" meets existing keys half of the time.
      if (name === "writeHashes fail") {
        for (const connection of [serverFixture.conn, clusterFixture.conn])
          await writeHashes(
            connection,
            pl.DataFrame({ _key: written.slice(0, 75), a: written.slice(0, 75) }),
          );
      }
      const expected = await write(serverFixture.conn);
      const actual = await write(clusterFixture.conn);
      expect(summary(actual)).toEqual(summary(expected));
      for (const key of written)
        expect(await dump(clusterFixture.conn, key), key).toEqual(await dump(serverFixture.conn, key));
    });
  }
});

describe("keys whose first braces are empty", () => {
  beforeEach(flushEverywhere);

  it("are grouped by the slot Redis computes (the whole key), so no script call spans two slots", async () => {
    // Redis hashes all of "a{}{tag}" (its first braces are empty); hashing "tag" instead would put these keys
    // in one script call although they live in different slots.
    const braceKeys = ["a{}{tag}", "b{}{tag}", "{}{tag}", "c{}{tag}:1", "d{}{tag}:2"];
    const frame = pl.DataFrame({ _key: braceKeys, v: braceKeys.map((key) => `value of ${key}`) });
    const result = await writeHashes(clusterFixture.conn, frame);
    expect(summary(result)).toEqual({ written: braceKeys.length, skipped: [], failed: {} });
    for (const key of braceKeys)
      expect(await clusterFixture.conn.call("HGET", key, "v"), key).toBe(`value of ${key}`);
  });
});

describe("remembered row ids on a cluster", () => {
  beforeEach(flushEverywhere);

  it("keeps each stream's memory in its slot: replays add nothing, like on one server", async () => {
    const streamKeys = keys(30, "fan");
    const rows = Array.from({ length: 300 }, (_, i) => i);
    const frame = pl.DataFrame({
      _key: rows.map((i) => streamKeys[i % streamKeys.length]!),
      v: rows.map((i) => `v${i}`),
    });
    const rowIds = rows.map((i) => `source-${i % 3}:${i}`);
    for (const connection of [serverFixture.conn, clusterFixture.conn]) {
      const first = await writeStreams(connection, frame, { rowIds });
      const replay = await writeStreams(connection, frame, { rowIds });
      expect(first.written).toBe(streamKeys.length);
      expect(replay.isCompleteSuccess()).toBe(true);
    }
    const fields = async (connection: RedisConnection, key: string) =>
      ((await connection.call("XRANGE", key, "-", "+")) as [string, string[]][]).map(([, values]) => values);
    for (const key of streamKeys)
      expect(await fields(clusterFixture.conn, key), key).toEqual(await fields(serverFixture.conn, key));
  });
});

describe("a slot range migrated live during a batched write", () => {
  beforeEach(flushEverywhere);

  it("loses nothing: every key is written once, on the node that serves it afterwards", async () => {
    const count = 6000;
    const rowKeys = Array.from({ length: count }, (_, i) => `mig:${i}`);
    const frame = pl.DataFrame({ _key: rowKeys, v: rowKeys.map((key) => `value of ${key}`) });
    const inRange = rowKeys.filter((key) => keySlot(key) < 400).length;
    expect(inRange).toBeGreaterThan(50);
    // Half the keys exist already; then the first 400 slots start moving (left mid-way: ASK for moved keys).
    expect((await writeHashes(clusterFixture.conn, frame.head(count / 2))).written).toBe(count / 2);
    const from = await clusterFixture.cluster.masterForSlot(0);
    const migration = await migrateSlots(clusterFixture.cluster, {
      slots: [0, 399],
      leaveMigrating: true,
      keysToMove: 2,
    });
    const before = (clusterFixture.conn as ClusterConnection).stats();
    let finishing: Promise<void> | undefined;
    const result = await writeHashes(clusterFixture.conn, frame, {
      batchSize: 100,
      parallel: 2,
      onProgress: (progress) => {
        // Finish the migration while batches are still in flight: they meet ASK, TRYAGAIN and then MOVED.
        if (finishing === undefined && progress.written >= 1000) finishing = migration.finish();
      },
    });
    await finishing;
    const after = (clusterFixture.conn as ClusterConnection).stats();
    expect(after.ask + after.moved + after.tryagain).toBeGreaterThan(
      before.ask + before.moved + before.tryagain,
    );
    expect(result.isCompleteSuccess()).toBe(true);
    expect(result.written).toBe(count);
    expect((await clusterFixture.cluster.masterForSlot(0)).id).not.toBe(from.id);
    for (const key of rowKeys)
      expect(await clusterFixture.conn.call("HGET", key, "v"), key).toBe(`value of ${key}`);
    // Every key exists exactly once across the masters.
    let total = 0;
    for (const node of clusterFixture.cluster.nodes) {
      if ((await node.role()) !== "master") continue;
      const admin = await connect(node.url);
      try {
        total += (await admin.call("DBSIZE")) as number;
      } finally {
        await admin.close();
      }
    }
    expect(total).toBe(count);
  });
});
