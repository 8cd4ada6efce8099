import {
  type Command,
  deleteKeys,
  deleteKeysMatching,
  existsKeys,
  inferHashSchema,
  keyInfo,
  persistKeys,
  type RedisCommandError,
  type RedisConnection,
  renameKeys,
  setTtl,
  ttlKeys,
} from "@polars-redis/core";
import { keySlot } from "@polars-redis/testkit";
import type pl from "nodejs-polars";
import { beforeAll, describe, expect, it } from "vitest";
import { useClusterAndServer } from "./fixtures/clusters.js";

// Key utilities and inference from core, unchanged, on a cluster: the same answers as one server.
const { clusterFixture, serverFixture } = useClusterAndServer();
const both = () => [clusterFixture.conn, serverFixture.conn] as const;
/** Runs the same call on the cluster and on the standalone server: [cluster's answer, server's answer]. */
const onBoth = <T>(run: (conn: RedisConnection) => Promise<T>): Promise<[T, T]> =>
  Promise.all([run(clusterFixture.conn), run(serverFixture.conn)]);

const keys = Array.from({ length: 600 }, (_, i) => `ku:${i}`);

function dataset(): Command[] {
  const commands: Command[] = keys.map((key, i) =>
    i % 3 === 0 ? ["SET", key, "x", "EX", 5000] : ["SET", key, "x"],
  );
  for (let i = 0; i < 300; i++) {
    commands.push([
      "HSET",
      `kh:${i}`,
      ...["n", String(i), "f", String(i / 4), "flag", i % 2 === 0 ? "true" : "false"],
      ...["d", `2024-03-${String(1 + (i % 28)).padStart(2, "0")}`, "s", `text ${i}`],
    ]);
  }
  for (let i = 0; i < 250; i++) commands.push(["SADD", `kd:${i}`, "m"]);
  return commands;
}

beforeAll(async () => {
  for (const conn of both()) {
    const replies = await conn.batch(dataset());
    expect(replies.filter((reply) => reply instanceof Error)).toEqual([]);
  }
});

/** -1 no expiry, -2 missing, 1 some expiry (the exact remaining time depends on when it is asked). */
function ttlKinds(frame: pl.DataFrame): number[] {
  return (frame.getColumn("ttl").toArray() as Array<number | bigint>).map((ttl) => Math.sign(Number(ttl)));
}

describe("key utilities on a cluster", () => {
  it("existsKeys and ttlKeys answer per key, in input order", async () => {
    const asked = [...keys.slice(0, 300), "ku:missing"];
    const [existsCluster, existsServer] = await onBoth((conn) => existsKeys(conn, asked));
    expect(existsCluster.toRecords()).toEqual(existsServer.toRecords());
    const [ttlCluster, ttlServer] = await onBoth((conn) => ttlKeys(conn, asked));
    expect(ttlCluster.getColumn("key").toArray()).toEqual(asked);
    expect(ttlKinds(ttlCluster)).toEqual(ttlKinds(ttlServer));
  });

  it("setTtl and persistKeys count the same changes", async () => {
    const some = keys.slice(300, 500);
    const [setCluster, setServer] = await onBoth((conn) => setTtl(conn, [...some, "ku:nope"], 900));
    expect([setCluster.succeeded, setCluster.skipped, setCluster.failed]).toEqual([
      setServer.succeeded,
      setServer.skipped,
      setServer.failed,
    ]);
    const [persistCluster, persistServer] = await onBoth((conn) => persistKeys(conn, some.slice(0, 120)));
    expect([persistCluster.succeeded, persistCluster.skipped]).toEqual([
      persistServer.succeeded,
      persistServer.skipped,
    ]);
    const [after, reference] = await onBoth((conn) => ttlKeys(conn, some));
    expect(ttlKinds(after)).toEqual(ttlKinds(reference));
  });

  it("keyInfo describes the same keys (type and encoding)", async () => {
    const [fromCluster, fromServer] = await onBoth((conn) => keyInfo(conn, { pattern: "k[uh]:*" }));
    const shape = (frame: pl.DataFrame) =>
      frame.select("key", "key_type", "encoding").sort("key").toRecords();
    expect(fromCluster.height).toBe(900);
    expect(shape(fromCluster)).toEqual(shape(fromServer));
  });

  it("renameKeys renames within a slot; a rename across slots fails for that key alone with CROSSSLOT", async () => {
    for (const conn of both())
      await conn.batch([
        ["SET", "{r}:a", "1"],
        ["SET", "{r}:b", "2"],
        ["SET", "r:c", "3"],
      ]);
    const mapping = { "{r}:a": "{r}:a2", "{r}:b": "{r}:b2", "r:c": "r:c-renamed" };
    expect(keySlot("r:c")).not.toBe(keySlot("r:c-renamed"));
    const [renamedCluster, renamedServer] = await onBoth((conn) => renameKeys(conn, mapping));
    expect(renamedServer.succeeded).toBe(3);
    expect(renamedCluster.succeeded).toBe(2);
    expect(renamedCluster.failedKeys()).toEqual(["r:c"]);
    expect((renamedCluster.errors.get("r:c") as RedisCommandError).redisCode).toBe("CROSSSLOT");
    expect(await clusterFixture.conn.call("MGET", "{r}:a2", "{r}:b2", "r:c")).toEqual(["1", "2", "3"]);
  });

  it("deleteKeys and deleteKeysMatching delete the same keys, dry run first", async () => {
    const [dryCluster, dryServer] = await onBoth((conn) =>
      deleteKeysMatching(conn, "kd:*", { dryRun: true, sampleSize: 5 }),
    );
    expect(dryCluster.matched).toBe(250);
    expect(dryCluster.matched).toBe(dryServer.matched);
    const [matchedCluster, matchedServer] = await onBoth((conn) => deleteKeysMatching(conn, "kd:*"));
    expect([matchedCluster.deleted, matchedCluster.failed]).toEqual([
      matchedServer.deleted,
      matchedServer.failed,
    ]);
    expect(matchedCluster.deleted).toBe(250);
    const [deletedCluster, deletedServer] = await onBoth((conn) =>
      deleteKeys(conn, [...keys.slice(0, 100), "ku:missing"]),
    );
    expect([deletedCluster.deleted, deletedCluster.notFound]).toEqual([
      deletedServer.deleted,
      deletedServer.notFound,
    ]);
    expect(await clusterFixture.conn.call("DBSIZE")).toBe(await serverFixture.conn.call("DBSIZE"));
  });
});

describe("schema inference on a cluster", () => {
  it("infers the same hash schema as on one server", async () => {
    const [fromCluster, fromServer] = await onBoth((conn) =>
      inferHashSchema(conn, { pattern: "kh:*", sampleSize: 300 }),
    );
    const names = (schema: Record<string, pl.DataType>) =>
      Object.fromEntries(Object.entries(schema).map(([field, dtype]) => [field, String(dtype)]));
    expect(names(fromCluster.schema)).toEqual(names(fromServer.schema));
    expect(fromCluster.sampleCount).toBe(300);
  });
});
