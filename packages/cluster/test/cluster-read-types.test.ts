import {
  type Command,
  type RedisConnection,
  readHashes,
  readLists,
  readSets,
  readStreams,
  readStrings,
  readZsets,
  scanHashes,
} from "@polars-redis/core";
import pl from "nodejs-polars";
import { beforeAll, describe, expect, it } from "vitest";
import { useClusterAndServer } from "./fixtures/clusters.js";

// The same data on a 3-master cluster and on one server: every scan type must give the same frame.
const { clusterFixture, serverFixture } = useClusterAndServer();

function dataset(): Command[] {
  const commands: Command[] = [];
  for (let i = 0; i < 3000; i++) {
    commands.push([
      "HSET",
      i % 10 === 0 ? `user:{vip}:${i}` : `user:${i}`,
      ...["name", `name ${i}`, "age", String(18 + (i % 60)), "score", String(i / 8)],
      ...["active", i % 3 === 0 ? "true" : "false", "joined", `2024-0${1 + (i % 9)}-1${i % 10}`],
    ]);
    commands.push(["SET", `counter:${i}`, String(i * 3)]);
  }
  for (let i = 0; i < 300; i++) {
    commands.push([
      "SADD",
      `tags:${i}`,
      ...Array.from({ length: 1 + (i % 5) }, (_, j) => `t${(i + j) % 17}`),
    ]);
    commands.push(["RPUSH", `queue:${i}`, ...Array.from({ length: 1 + (i % 4) }, (_, j) => `job-${i}-${j}`)]);
    commands.push([
      "ZADD",
      `board:${i}`,
      ...Array.from({ length: 1 + (i % 6) }, (_, j) => [j * 1.5, `p${j}`]).flat(),
    ]);
  }
  // Big keys, read in several pages each.
  commands.push(["SADD", "tags:big", ...Array.from({ length: 5000 }, (_, j) => `m${j}`)]);
  commands.push(["RPUSH", "queue:big", ...Array.from({ length: 3000 }, (_, j) => `e${j}`)]);
  commands.push(["ZADD", "board:big", ...Array.from({ length: 3000 }, (_, j) => [j % 97, `z${j}`]).flat()]);
  for (let s = 0; s < 60; s++) {
    for (let e = 1; e <= 25; e++) {
      commands.push([
        "XADD",
        `events:${s}`,
        `${1_700_000_000_000 + e * 1000}-${s}`,
        "kind",
        `k${e % 3}`,
        "n",
        String(e),
      ]);
    }
  }
  return commands;
}

beforeAll(async () => {
  const data = dataset();
  for (const replies of await Promise.all([
    clusterFixture.conn.batch(data),
    serverFixture.conn.batch(data),
  ])) {
    expect(replies.filter((reply) => reply instanceof Error)).toEqual([]);
  }
});

/** Rows in a stable order (keys come back in per-node SCAN order on a cluster). */
function rows(frame: pl.DataFrame, by: string[]): Record<string, unknown>[] {
  return frame.sort(by).toRecords();
}

async function expectSameFrames(
  read: (conn: RedisConnection) => Promise<pl.DataFrame>,
  sortBy: string[],
  expectedRows?: number,
): Promise<void> {
  const [fromCluster, fromServer] = await Promise.all([read(clusterFixture.conn), read(serverFixture.conn)]);
  expect(fromCluster.schema).toEqual(fromServer.schema);
  expect(fromCluster.height).toBe(fromServer.height);
  if (expectedRows !== undefined) expect(fromCluster.height).toBe(expectedRows);
  expect(rows(fromCluster, sortBy)).toEqual(rows(fromServer, sortBy));
}

const HASH_SCHEMA = { name: pl.Utf8, age: pl.Int64, score: pl.Float64, active: pl.Bool, joined: pl.Date };

describe("every scan type reads the same rows on a cluster as on one server", () => {
  it("hashes (HGETALL, projection, filter and limit, a hash-tagged pattern, explicit keys)", async () => {
    await expectSameFrames(
      (conn) => readHashes(conn, { pattern: "user:*", schema: HASH_SCHEMA }),
      ["_key"],
      3000,
    );
    await expectSameFrames(
      (conn) => readHashes(conn, { pattern: "user:*", schema: HASH_SCHEMA, columns: ["age", "active"] }),
      ["_key"],
    );
    await expectSameFrames(
      (conn) =>
        readHashes(conn, {
          pattern: "user:*",
          schema: HASH_SCHEMA,
          filter: pl.col("age").gt(70),
          parallel: 4,
        }),
      ["_key"],
    );
    await expectSameFrames(
      (conn) => readHashes(conn, { pattern: "user:{vip}:*", schema: HASH_SCHEMA }),
      ["_key"],
      300,
    );
    // Every tenth user is stored under the {vip} tag: 50 of these 500 keys do not exist.
    const keys = Array.from({ length: 500 }, (_, i) => `user:${i * 3 + 1}`);
    await expectSameFrames((conn) => readHashes(conn, { keys, schema: HASH_SCHEMA }), ["_key"], 450);
    const limited = await readHashes(clusterFixture.conn, {
      pattern: "user:*",
      schema: HASH_SCHEMA,
      limit: 123,
    });
    expect(limited.height).toBe(123);
  });

  it("hashes in batches: scanHashes frames add up to the same rows", async () => {
    const frames: pl.DataFrame[] = [];
    for await (const frame of scanHashes(clusterFixture.conn, {
      pattern: "user:*",
      schema: HASH_SCHEMA,
      batchSize: 250,
    })) {
      expect(frame.height).toBeLessThanOrEqual(250);
      frames.push(frame);
    }
    const all = pl.concat(frames, { how: "vertical" });
    const reference = await readHashes(serverFixture.conn, { pattern: "user:*", schema: HASH_SCHEMA });
    expect(rows(all, ["_key"])).toEqual(rows(reference, ["_key"]));
  });

  it("strings (MGET per slot), typed", async () => {
    await expectSameFrames(
      (conn) => readStrings(conn, { pattern: "counter:*", valueType: pl.Int64 }),
      ["_key"],
      3000,
    );
    const keys = Array.from({ length: 700 }, (_, i) => `counter:${i * 4}`).concat(["counter:missing"]);
    await expectSameFrames((conn) => readStrings(conn, { keys, valueType: pl.Int64 }), ["_key"]);
  });

  it("sets, including one of 5000 members read in pages", async () => {
    await expectSameFrames(
      (conn) => readSets(conn, { pattern: "tags:*", pageSize: 400 }),
      ["_key", "member"],
    );
  });

  it("lists with positions, including one of 3000 elements read in ranges", async () => {
    await expectSameFrames(
      (conn) => readLists(conn, { pattern: "queue:*", includePosition: true, pageSize: 500 }),
      ["_key", "position"],
    );
  });

  it("sorted sets with ranks, including one of 3000 members", async () => {
    await expectSameFrames(
      (conn) => readZsets(conn, { pattern: "board:*", includeRank: true, pageSize: 700 }),
      ["_key", "rank"],
    );
  });

  it("streams with ids, timestamps, sequences and a schema", async () => {
    await expectSameFrames(
      (conn) =>
        readStreams(conn, {
          pattern: "events:*",
          includeSequence: true,
          schema: { kind: pl.Utf8, n: pl.Int64 },
          pageSize: 10,
        }),
      ["_key", "_id"],
      1500,
    );
  });
});
