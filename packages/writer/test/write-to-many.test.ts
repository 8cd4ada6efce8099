import { connect, InvalidArgumentError, type RedisConnection } from "@polars-redis/core";
import { createFaultProxy, type FaultProxy, startRedis } from "@polars-redis/testkit";
import { useRedis } from "@polars-redis/testkit/vitest";
import pl from "nodejs-polars";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WriteInterruptedError, writeHashes, writeJson, writeSets, writeToMany } from "../src/index.js";

const servers = [useRedis(), useRedis(), useRedis()] as const;
const connections: RedisConnection[] = [];
let proxy: FaultProxy;
let a: RedisConnection;
let b: RedisConnection;
let c: RedisConnection;

beforeAll(async () => {
  proxy = await createFaultProxy({ target: servers[2].url });
  a = await connect(servers[0].url);
  b = await connect(servers[1].url);
  c = await connect(proxy.url, { commandTimeoutMs: 60_000 });
  connections.push(a, b, c);
});
afterAll(async () => {
  for (const connection of connections) await connection.close();
  await proxy?.close();
});

const orders = () =>
  pl.DataFrame({
    _key: Array.from({ length: 500 }, (_, i) => `order:${i}`),
    region: Array.from({ length: 500 }, (_, i) => (i % 2 === 0 ? "eu" : "us")),
    total: Array.from({ length: 500 }, (_, i) => String(i)),
  });

describe("writeToMany", () => {
  it("writes each destination's filtered, transformed rows with its own writer", async () => {
    for (const connection of [a, b]) await connection.call("FLUSHALL");
    const result = await writeToMany(orders(), [
      { name: "eu", connection: a, filter: pl.col("region").eq(pl.lit("eu")) },
      {
        name: "regions",
        connection: b,
        transform: (frame) => frame.select(pl.col("region").alias("_key"), pl.col("_key").alias("member")),
        write: (connection, frame, { signal }) => writeSets(connection, frame, { signal }),
      },
    ]);
    expect(result.allSucceeded()).toBe(true);
    expect(result.get("eu")!.rows).toBe(250);
    expect(result.get("eu")!.result!.writtenKeys!.length).toBe(250);
    expect(await a.call("DBSIZE")).toBe(250);
    expect(await b.call("SCARD", "eu")).toBe(250);
    expect(result.totalWritten).toBe(252);
  });

  it("one destination of three blackholed: the other two complete and the result names the stuck one", async () => {
    for (const connection of [a, b]) await connection.call("FLUSHALL");
    await c.call("FLUSHALL");
    const hole = proxy.blackhole();
    try {
      const result = await writeToMany(orders(), [
        { name: "A", connection: a },
        {
          name: "B",
          connection: b,
          write: (connection, frame, { signal }) => writeHashes(connection, frame, { signal, batchSize: 50 }),
        },
        { name: "C", connection: c, timeoutMs: 300 },
      ]);
      expect(result.get("A")!.status).toBe("succeeded");
      expect(result.get("B")!.status).toBe("succeeded");
      expect(result.failedDestinations()).toEqual(["C"]);
      const stuck = result.get("C")!;
      expect(stuck.status).toBe("timed-out");
      // Every key is accounted for: none confirmed, all unconfirmed ones are safe to retry (hash replace is idempotent).
      expect(stuck.result!.written).toBe(0);
      expect(stuck.result!.failed).toBe(500);
      expect(stuck.retryableKeys()!.length).toBe(500);
      const outcomes = new Set(
        [...stuck.result!.errors.values()].map((error) => (error as WriteInterruptedError).outcome),
      );
      expect([...outcomes].every((outcome) => outcome === "unknown" || outcome === "rejected")).toBe(true);
      expect(
        [...stuck.result!.errors.values()].every((error) => WriteInterruptedError.isInstance(error)),
      ).toBe(true);
      expect(await a.call("DBSIZE")).toBe(500);
      expect(await b.call("DBSIZE")).toBe(500);
    } finally {
      await hole.remove();
    }
    // Healed: retrying the stuck destination's keys completes it.
    const retry = await writeToMany(orders(), [{ name: "C", connection: c, timeoutMs: 30_000 }]);
    expect(retry.allSucceeded()).toBe(true);
    expect(await c.call("DBSIZE")).toBe(500);
  });

  it("a dead destination (its server is gone) times out alone; the live one completes", async () => {
    await a.call("FLUSHALL");
    const doomed = await startRedis();
    const dead = await connect(doomed.url, { commandTimeoutMs: 60_000 });
    await doomed.stop();
    try {
      const result = await writeToMany(orders(), [
        { name: "live", connection: a },
        { name: "dead", connection: dead, timeoutMs: 500 },
      ]);
      expect(result.get("live")!.status).toBe("succeeded");
      expect(await a.call("DBSIZE")).toBe(500);
      const gone = result.get("dead")!;
      expect(["timed-out", "partial"]).toContain(gone.status);
      expect(gone.result!.written).toBe(0);
      expect(gone.retryableKeys()!.length).toBe(500);
    } finally {
      await dead.close();
    }
  });

  it("rejects bad destinations before anything is written", async () => {
    await a.call("FLUSHALL");
    const cases: [unknown, string][] = [
      [[], "destinations"],
      [
        [
          { name: "x", connection: a },
          { name: "x", connection: a },
        ],
        "destinations[1].name",
      ],
      [[{ name: "x", connection: a, timeoutMs: 0 }], "destinations[0].timeoutMs"],
      [[{ name: "x" }], "destinations[0].connection"],
      [
        [
          { name: "ok", connection: a },
          { name: "bad", connection: a, filter: pl.col("nope").eq(1) },
        ],
        "destinations[1].filter",
      ],
    ];
    for (const [destinations, argument] of cases) {
      const error = await writeToMany(orders(), destinations as never).catch((e: unknown) => e);
      expect(InvalidArgumentError.isInstance(error), argument).toBe(true);
      expect((error as InvalidArgumentError).argument).toBe(argument);
    }
    expect(await a.call("DBSIZE")).toBe(0);
  });

  it("a destination whose writer throws is reported as failed while the others complete", async () => {
    await a.call("FLUSHALL");
    const result = await writeToMany(orders(), [
      { name: "good", connection: a },
      {
        name: "bad",
        connection: b,
        write: (connection, frame) => writeJson(connection, frame, { keyColumn: "missing" }),
      },
    ]);
    expect(result.get("good")!.status).toBe("succeeded");
    expect(result.get("bad")!.status).toBe("failed");
    expect(InvalidArgumentError.isInstance(result.get("bad")!.error)).toBe(true);
    expect(result.get("bad")!.retryableKeys()).toBeUndefined();
  });
});
