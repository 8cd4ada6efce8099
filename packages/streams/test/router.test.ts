import { connect, type Sink } from "@polars-redis/core";
import { MockKeyError, MockSink, waitFor } from "@polars-redis/testkit";
import { useRedisConnection } from "@polars-redis/testkit/vitest";
import pl from "nodejs-polars";
import { describe, expect, it } from "vitest";
import { createRouter, type RouterEvent } from "../src/index.js";
import { fillStream } from "./fixtures/streams.js";

const redis = useRedisConnection({ connect });

const asSink = (sink: MockSink): Sink => sink as unknown as Sink;

async function pendingIds(stream: string, group: string): Promise<Set<string>> {
  const rows = (await redis.conn.call("XPENDING", stream, group, "-", "+", 100_000)) as [string][];
  return new Set(rows.map(([id]) => id));
}

/** Region and amount of entry i, for every test's events. */
const event = (i: number) => ({ order: `o${i}`, region: ["EU", "US", "APAC"][i % 3]!, amount: i % 100 });

describe("createRouter", () => {
  it("writes each route exactly the rows its filter selects, without metadata columns, and acks everything", async () => {
    const ids = await fillStream(redis.conn, "changes", 1000, event);
    const eu = new MockSink({ name: "eu", keyColumn: "order" });
    const us = new MockSink({ name: "us", keyColumn: "order" });
    const big = new MockSink({ name: "big", keyColumn: "order" });
    const router = createRouter({
      source: {
        connection: redis.conn,
        stream: "changes",
        group: "router",
        consumer: "r1",
        batchSize: 300,
        blockMs: 20,
        schema: { order: pl.Utf8, region: pl.Utf8, amount: pl.Int64 },
      },
      routes: [
        { name: "eu", filter: pl.col("region").eq(pl.lit("EU")), sink: asSink(eu) },
        { name: "us", filter: pl.col("region").eq(pl.lit("US")), sink: asSink(us) },
        {
          name: "big",
          filter: pl.col("amount").gtEq(90),
          sink: asSink(big),
          transform: (frame) => frame.select("order", "amount"),
        },
      ],
    });
    const run = router.run();
    await waitFor(() => router.stats.source.acked === 1000, {
      description: "every entry acknowledged",
      timeoutMs: 30_000,
    });
    router.stop();
    const stats = await run;
    const expected = (keep: (i: number) => boolean) =>
      ids
        .map((_, i) => i)
        .filter(keep)
        .map((i) => `o${i}`)
        .sort();
    const stored = (sink: MockSink) =>
      sink
        .rows()
        .map((row) => String(row.order))
        .sort();
    expect(stored(eu)).toEqual(expected((i) => i % 3 === 0));
    expect(stored(us)).toEqual(expected((i) => i % 3 === 1));
    expect(stored(big)).toEqual(expected((i) => i % 100 >= 90));
    expect(eu.frames[0]!.columns).toEqual(["order", "region", "amount"]);
    expect(big.frames[0]!.columns).toEqual(["order", "amount"]);
    // rowIds are the source entry ids of the rows, in order.
    const firstCall = eu.calls[0]!;
    expect(firstCall.context.rowIds?.slice(0, 2)).toEqual(["1-1", "1-4"]);
    expect(stats.routes.eu).toMatchObject({ matched: 334, written: 334, failedAttempts: 0, queued: 0 });
    expect(stats.unacked).toBe(0);
    expect((await pendingIds("changes", "router")).size).toBe(0);
  });

  it("keeps a failing route's entries pending while the other routes carry on, then catches up", async () => {
    const ids = await fillStream(redis.conn, "outage", 600, event);
    let down = true;
    const flaky = new MockSink({
      name: "flaky",
      keyColumn: "order",
      write: () => (down ? { throw: new Error("destination unreachable") } : "ok"),
    });
    const steady = new MockSink({ name: "steady", keyColumn: "order" });
    const events: RouterEvent[] = [];
    const router = createRouter({
      source: {
        connection: redis.conn,
        stream: "outage",
        group: "router",
        consumer: "r1",
        batchSize: 100,
        blockMs: 20,
      },
      routes: [
        { name: "flaky", filter: pl.col("region").eq(pl.lit("EU")), sink: asSink(flaky) },
        { name: "steady", filter: pl.col("region").neq(pl.lit("EU")), sink: asSink(steady) },
      ],
      retry: { initialMs: 10, maxMs: 50 },
      onEvent: (e) => events.push(e),
    });
    const run = router.run();
    await waitFor(() => steady.rows().length === 400, {
      description: "the healthy route wrote all its rows",
      timeoutMs: 30_000,
    });
    // Nothing acknowledged early: exactly the failing route's entries are still pending.
    const pending = await pendingIds("outage", "router");
    const euIds = new Set(ids.filter((_, i) => i % 3 === 0));
    expect(pending).toEqual(euIds);
    expect(router.stats.routes.flaky!.state).toBe("retrying");
    expect(router.stats.routes.flaky!.failedAttempts).toBeGreaterThan(0);
    down = false;
    await waitFor(() => router.stats.source.acked === 600, {
      description: "the failing route caught up",
      timeoutMs: 30_000,
    });
    router.stop();
    const stats = await run;
    expect(
      flaky
        .rows()
        .map((row) => row.order)
        .sort(),
    ).toEqual([...euIds].map((id) => `o${Number(id.slice(2)) - 1}`).sort());
    expect(stats.routes.flaky).toMatchObject({ state: "healthy", written: 200, queued: 0 });
    expect(events.some((e) => e.type === "route-recovered" && e.route === "flaky")).toBe(true);
    expect((await pendingIds("outage", "router")).size).toBe(0);
  });

  it("keeps only ids of a long outage's backlog in memory and re-reads them when the route recovers", async () => {
    await fillStream(redis.conn, "spill", 500, event);
    let down = true;
    const slow = new MockSink({
      name: "slow",
      keyColumn: "order",
      write: () => (down ? { throw: new Error("down") } : "ok"),
    });
    const router = createRouter({
      source: {
        connection: redis.conn,
        stream: "spill",
        group: "router",
        consumer: "r1",
        batchSize: 50,
        blockMs: 20,
      },
      routes: [{ name: "slow", sink: asSink(slow) }],
      maxBufferedEntries: 100,
      maxFrameEntries: 50,
      retry: { initialMs: 10, maxMs: 20 },
    });
    const run = router.run();
    await waitFor(() => router.stats.routes.slow!.queued === 500, {
      description: "everything queued for the failing route",
      timeoutMs: 30_000,
    });
    expect(router.stats.routes.slow!.spilled).toBe(400);
    await redis.conn.call("XDEL", "spill", "1-499", "1-500"); // two of the spilled entries vanish meanwhile
    down = false;
    await waitFor(() => router.stats.source.acked === 500, { description: "caught up", timeoutMs: 30_000 });
    router.stop();
    const stats = await run;
    expect(slow.rows()).toHaveLength(498);
    expect(stats.routes.slow).toMatchObject({ written: 498, lost: 2, spilled: 0, queued: 0 });
  });

  it("dead-letters only the rows a sink rejects for good, naming the route", async () => {
    await fillStream(redis.conn, "poison", 64, event);
    const picky = new MockSink({
      name: "picky",
      keyColumn: "order",
      write: (call) => {
        const bad = call.keys.filter((key) => key === "o13" || key === "o40");
        return bad.length === 0
          ? "ok"
          : {
              failKeys: new Map(
                bad.map((key) => [
                  key,
                  new MockKeyError("WRONGTYPE", { retryable: false, code: "WRONGTYPE" }),
                ]),
              ),
            };
      },
    });
    const events: RouterEvent[] = [];
    const router = createRouter({
      source: {
        connection: redis.conn,
        stream: "poison",
        group: "router",
        consumer: "r1",
        batchSize: 64,
        blockMs: 20,
      },
      routes: [{ name: "picky", sink: asSink(picky) }],
      maxAttempts: 2,
      retry: { initialMs: 1, maxMs: 5 },
      onEvent: (e) => events.push(e),
    });
    const run = router.run();
    await waitFor(() => router.stats.source.acked === 64, {
      description: "all acknowledged",
      timeoutMs: 30_000,
    });
    router.stop();
    const stats = await run;
    expect(picky.rows()).toHaveLength(62);
    expect(stats.routes.picky!.deadLettered).toBe(2);
    const dead = (await redis.conn.call("XRANGE", "poison:dead-letter", "-", "+")) as [string, string[]][];
    const records = dead.map(([, fields]) => {
      const record: Record<string, string> = {};
      for (let i = 0; i < fields.length; i += 2) record[fields[i]!] ??= fields[i + 1]!;
      return record;
    });
    expect(records.map((record) => record.source_id).sort()).toEqual(["1-14", "1-41"]);
    expect(records.every((record) => record.route === "picky" && record.reason!.includes("WRONGTYPE"))).toBe(
      true,
    );
  });
});
