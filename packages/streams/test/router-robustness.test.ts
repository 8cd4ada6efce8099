import { connect, InvalidArgumentError, type Sink } from "@polars-redis/core";
import { MockSink, waitFor } from "@polars-redis/testkit";
import { useRedisConnection } from "@polars-redis/testkit/vitest";
import pl from "nodejs-polars";
import { describe, expect, it } from "vitest";
import { createRouter, type RouterEvent } from "../src/index.js";
import { fillStream } from "./fixtures/streams.js";

const redis = useRedisConnection({ connect });

const asSink = (sink: MockSink): Sink => sink as unknown as Sink;

/** Change events as the routing guide describes them: deletes carry no amount. */
function change(i: number): Record<string, string> {
  const base = { table: "orders", id: `o${i}`, region: i % 2 === 0 ? "eu-west" : "us-east" };
  return i % 4 === 3 ? { ...base, op: "delete" } : { ...base, op: "upsert", amount: String(i * 10) };
}

async function pending(stream: string, group: string): Promise<number> {
  return Number(((await redis.conn.call("XPENDING", stream, group)) as [number])[0]);
}

const keyByRow = (frame: pl.DataFrame) =>
  frame
    .withColumns(pl.concatString([pl.col("table"), pl.col("id")], ":").alias("_key"))
    .unique({ subset: "_key", keep: "last", maintainOrder: true });

describe("router: messy data", () => {
  it("the routing guide's example, as written: a batch of deletes without amount routes fine", async () => {
    // First batch: only deletes (no entry has `amount`), then mixed batches.
    await fillStream(redis.conn, "guide", 4, (i) => ({
      table: "orders",
      id: `d${i}`,
      op: "delete",
      region: "eu-west",
    }));
    await fillStream(redis.conn, "guide", 400, change, 5);
    const [a, b, analytics] = ["A", "B", "analytics"].map(
      (name) => new MockSink({ name, keyColumn: "_key" }),
    );
    const events: RouterEvent[] = [];
    const router = createRouter({
      source: {
        connection: redis.conn,
        stream: "guide",
        group: "routing",
        consumer: "r1",
        batchSize: 4,
        blockMs: 20,
        schema: { table: pl.Utf8, id: pl.Utf8, op: pl.Utf8, region: pl.Utf8, amount: pl.Float64 },
      },
      routes: [
        { name: "A", filter: pl.col("region").str.startsWith("eu"), transform: keyByRow, sink: asSink(a!) },
        {
          name: "B",
          filter: pl.col("region").str.startsWith("eu").not(),
          transform: keyByRow,
          sink: asSink(b!),
        },
        {
          name: "analytics",
          filter: pl.col("amount").gt(2500),
          transform: (frame) =>
            frame.withColumns(pl.concatString([pl.lit("evt"), pl.col("_id")], ":").alias("_key")),
          sink: asSink(analytics!),
        },
      ],
      onEvent: (event) => events.push(event),
    });
    const run = router.run();
    await waitFor(() => router.stats.source.acked === 404, { timeoutMs: 30_000, description: "all acked" });
    router.stop();
    const stats = await run;
    expect(events.filter((event) => event.type === "batch-failed")).toEqual([]);
    expect(stats.source).toMatchObject({ failed: 0, deadLettered: 0 });
    expect(a!.rows()).toHaveLength(4 + 200);
    expect(b!.rows()).toHaveLength(200);
    const expectedAnalytics = Array.from({ length: 400 }, (_, i) => i).filter(
      (i) => i % 4 !== 3 && i * 10 > 2500,
    );
    expect(analytics!.rows()).toHaveLength(expectedAnalytics.length);
    expect(await pending("guide", "routing")).toBe(0);
  });

  it("without a schema, every batch has every field seen so far (null where absent)", async () => {
    await fillStream(redis.conn, "loose", 8, change); // has amount
    const all = new MockSink({ name: "all", keyColumn: "id" });
    const big = new MockSink({ name: "big", keyColumn: "id" });
    const router = createRouter({
      source: {
        connection: redis.conn,
        stream: "loose",
        group: "routing",
        consumer: "r1",
        batchSize: 8,
        blockMs: 20,
      },
      routes: [
        { name: "all", sink: asSink(all) },
        { name: "big", filter: pl.col("amount").cast(pl.Float64).gt(30), sink: asSink(big) },
      ],
    });
    const run = router.run();
    await waitFor(() => router.stats.source.acked === 8, { description: "the first batch acked" });
    await fillStream(
      redis.conn,
      "loose",
      4,
      (i) => ({ table: "orders", id: `d${i}`, op: "delete", region: "eu" }),
      9,
    );
    await waitFor(() => router.stats.source.acked === 12, { description: "all acked" });
    router.stop();
    const stats = await run;
    expect(stats.source.failed).toBe(0);
    // Batches of deletes only still have the amount column, null.
    for (const frame of all.frames) expect(frame.columns).toEqual(["table", "id", "region", "op", "amount"]);
    const deletes = pl.concat(all.frames, { how: "vertical" }).filter(pl.col("op").eq(pl.lit("delete")));
    expect(deletes.height).toBe(6);
    expect(deletes.getColumn("amount").nullCount()).toBe(6);
    expect(big.rows().map((row) => row.id)).toEqual(["o4", "o5", "o6"]);
    expect(stats.unmatched).toBe(0); // the "all" route matches everything
  });

  it("counts entries no route matched", async () => {
    await fillStream(redis.conn, "sparse", 30, change);
    const eu = new MockSink({ name: "eu", keyColumn: "id" });
    const router = createRouter({
      source: { connection: redis.conn, stream: "sparse", group: "routing", consumer: "r1", blockMs: 20 },
      routes: [{ name: "eu", filter: pl.col("region").eq(pl.lit("eu-west")), sink: asSink(eu) }],
    });
    const run = router.run();
    await waitFor(() => router.stats.source.acked === 30, { description: "all acked" });
    router.stop();
    const stats = await run;
    expect(stats.routes.eu!.written).toBe(15);
    expect(stats.unmatched).toBe(15);
  });
});

describe("router: a typo in a route", () => {
  it("with a schema, createRouter names the route and the column", () => {
    const sink = asSink(new MockSink());
    let error: unknown;
    try {
      createRouter({
        source: {
          connection: redis.conn,
          stream: "typo",
          group: "routing",
          consumer: "r1",
          schema: { region: pl.Utf8, amount: pl.Float64 },
        },
        routes: [
          { name: "ok", filter: pl.col("region").eq(pl.lit("eu")), sink },
          { name: "regional", filter: pl.col("regoin").eq(pl.lit("eu")), sink },
        ],
      });
    } catch (thrown) {
      error = thrown;
    }
    expect(InvalidArgumentError.isInstance(error)).toBe(true);
    expect((error as InvalidArgumentError).argument).toBe("routes[1].filter");
    expect((error as Error).message).toContain('route "regional"');
    expect((error as Error).message).toContain('"regoin"');
  });

  it("with a schema, a dtype mismatch is caught at creation too", () => {
    expect(() =>
      createRouter({
        source: {
          connection: redis.conn,
          stream: "typo",
          group: "routing",
          consumer: "r1",
          schema: { amount: pl.Float64 },
        },
        routes: [
          { name: "text", filter: pl.col("amount").str.startsWith("1"), sink: asSink(new MockSink()) },
        ],
      }),
    ).toThrow(/route "text"/);
  });

  it("without a schema, the router stops with the error instead of dead-lettering the stream", async () => {
    await fillStream(redis.conn, "typo", 20, change);
    const good = new MockSink({ name: "good", keyColumn: "id" });
    const bad = new MockSink({ name: "bad", keyColumn: "id" });
    const router = createRouter({
      source: { connection: redis.conn, stream: "typo", group: "routing", consumer: "r1", blockMs: 20 },
      routes: [
        { name: "good", filter: pl.col("region").eq(pl.lit("eu-west")), sink: asSink(good) },
        { name: "regional", filter: pl.col("regoin").eq(pl.lit("eu-west")), sink: asSink(bad) },
      ],
    });
    const error = await router.run().catch((e: unknown) => e);
    expect(InvalidArgumentError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('route "regional"');
    expect((error as Error).message).toContain('"regoin"');
    // Nothing dead-lettered, nothing acknowledged: the entries wait for a fixed router.
    expect(Number(await redis.conn.call("EXISTS", "typo:dead-letter"))).toBe(0);
    expect(await pending("typo", "routing")).toBe(20);
    expect(router.stats.source.deadLettered).toBe(0);
  });

  it("a filter that fails on some rows' data (not on structure) still dead-letters only those rows", async () => {
    await fillStream(redis.conn, "data", 6, (i) => ({ id: `x${i}`, amount: i === 2 ? "abc" : String(i) }));
    const sink = new MockSink({ name: "s", keyColumn: "id" });
    const router = createRouter({
      source: {
        connection: redis.conn,
        stream: "data",
        group: "routing",
        consumer: "r1",
        blockMs: 20,
        maxDeliveries: 2,
        redeliveryDelay: { initialMs: 10, maxMs: 10 },
      },
      routes: [{ name: "strict", filter: pl.col("amount").cast(pl.Float64, true).gt(0), sink: asSink(sink) }],
    });
    const run = router.run();
    await waitFor(() => router.stats.source.deadLettered === 1 && router.stats.source.acked === 5, {
      timeoutMs: 30_000,
      description: "the bad row dead-lettered, the others acked",
    });
    router.stop();
    await run;
    expect(
      sink
        .rows()
        .map((row) => row.id)
        .sort(),
    ).toEqual(["x1", "x3", "x4", "x5"]);
  });
});
