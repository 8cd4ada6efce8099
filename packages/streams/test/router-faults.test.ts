import type { Command, RedisConnection } from "@polars-redis/core";
import { createFaultProxy, generateChangeEvents, waitFor } from "@polars-redis/testkit";
import { redisHashSink } from "@polars-redis/writer";
import pl, { type DataFrame, type Expr } from "nodejs-polars";
import { describe, expect, it } from "vitest";
import { createRouter, type RouterEvent, readStreamRange } from "../src/index.js";
import { usePerTestServers } from "./fixtures/per-test-servers.js";

const { cleanups, server, connection } = usePerTestServers();

/** Generated change events, appended to `stream` (with their explicit ids) part by part. */
async function changeEvents(conn: RedisConnection, stream: string, count: number, seed: number) {
  const events = generateChangeEvents({ count, seed });
  const byId = new Map<string, string[]>();
  for (let i = 0; i < count; i++) byId.set(events.entryIds[i]!, events.fieldsOf(i));
  const append = async (from: number, to: number): Promise<void> => {
    const commands: Command[] = [];
    for (let i = from; i < to; i++)
      commands.push(["XADD", stream, events.entryIds[i]!, ...events.fieldsOf(i)]);
    const replies = await conn.batch(commands, { chunkSize: 2000 });
    expect(replies.find((reply) => reply instanceof Error)).toBeUndefined();
  };
  return { byId, append };
}

/** Writes generated change events to `stream`, with their explicit ids; returns the events' fields by id. */
async function loadEvents(
  conn: RedisConnection,
  stream: string,
  count: number,
  seed: number,
): Promise<Map<string, string[]>> {
  const { byId, append } = await changeEvents(conn, stream, count, seed);
  await append(0, count);
  return byId;
}

/** The same filter, computed with Polars over the whole source: the ids (or stream/id keys) it selects. */
function expectedKeys(
  source: DataFrame,
  filter: Expr,
  keyOf: (row: Record<string, unknown>) => string,
): Set<string> {
  return new Set(source.filter(filter).select("_stream", "_id").toRecords().map(keyOf));
}

/** Every key a destination holds, and the fields of each (pipelined HGETALL). */
async function destinationContents(conn: RedisConnection): Promise<Map<string, Record<string, string>>> {
  const keys: string[] = [];
  for await (const page of conn.scanKeys({ pattern: "evt:*", count: 1000 })) keys.push(...page);
  const replies = await conn.batch(keys.map((key) => ["HGETALL", key]));
  const contents = new Map<string, Record<string, string>>();
  keys.forEach((key, index) => {
    const flat = replies[index] as string[];
    const record: Record<string, string> = {};
    for (let i = 0; i < flat.length; i += 2) record[flat[i]!] = flat[i + 1]!;
    contents.set(key, record);
  });
  return contents;
}

const ROUTES = {
  a: pl
    .col("region")
    .eq(pl.lit("eu-west"))
    .and(pl.col("op").neq(pl.lit("delete"))),
  b: pl.col("region").isIn(["us-east", "ap-south"]),
  analytics: pl.col("amount").cast(pl.Float64).gt(2500),
};

describe("router under faults", () => {
  it("three destinations, one blackholed for a while: the others flow, it catches up, nothing acked early", async () => {
    const [source, destA, destB, destAnalytics] = await Promise.all([server(), server(), server(), server()]);
    const proxyB = await createFaultProxy({ target: destB.url });
    cleanups.push(() => proxyB.close());
    const conn = await connection(source.url);
    const { byId: events, append } = await changeEvents(conn, "changes", 30_000, 7);
    await append(0, 10_000);

    const a = await connection(destA.url);
    const bViaProxy = await connection(proxyB.url, 1000);
    const bDirect = await connection(destB.url);
    const analytics = await connection(destAnalytics.url);
    const withKey = (frame: DataFrame) =>
      frame.withColumns(pl.concatString([pl.lit("evt:"), pl.col("_id")], "").alias("_key"));
    const events$: RouterEvent[] = [];
    const router = createRouter({
      source: {
        connection: conn,
        stream: "changes",
        group: "pipeline",
        consumer: "router-1",
        batchSize: 1000,
        blockMs: 50,
      },
      routes: [
        { name: "a", filter: ROUTES.a, transform: withKey, sink: redisHashSink(a) },
        { name: "b", filter: ROUTES.b, transform: withKey, sink: redisHashSink(bViaProxy) },
        { name: "analytics", filter: ROUTES.analytics, transform: withKey, sink: redisHashSink(analytics) },
      ],
      retry: { initialMs: 50, maxMs: 400 },
      onEvent: (event) => events$.push(event),
    });
    const run = router.run();

    // The outage: B goes silent (requests and answers held) once routing is under way.
    await waitFor(() => router.stats.routes.a!.written >= 1000, {
      description: "routing under way",
      timeoutMs: 30_000,
    });
    const outage = proxyB.blackhole({ direction: "both" });
    await waitFor(() => router.stats.routes.b!.state === "retrying", {
      description: "B noticed as failing",
      timeoutMs: 30_000,
    });
    const bWrittenAtOutage = router.stats.routes.b!.written;
    const aWrittenAtOutage = router.stats.routes.a!.written;
    // The source keeps changing while B is down.
    await append(10_000, 30_000);
    const sourceFrame = await readStreamRange(conn, { stream: "changes" });
    const key = (row: Record<string, unknown>) => `evt:${row._id}`;
    const expected = {
      a: expectedKeys(sourceFrame.withColumn(pl.lit("changes").alias("_stream")), ROUTES.a, key),
      b: expectedKeys(sourceFrame.withColumn(pl.lit("changes").alias("_stream")), ROUTES.b, key),
      analytics: expectedKeys(
        sourceFrame.withColumn(pl.lit("changes").alias("_stream")),
        ROUTES.analytics,
        key,
      ),
    };
    // The filters select real, overlapping subsets: an entry may have to wait for two routes.
    for (const keys of Object.values(expected)) expect(keys.size).toBeGreaterThan(2000);
    expect([...expected.b].some((k) => expected.analytics.has(k))).toBe(true);

    await waitFor(
      () =>
        router.stats.routes.a!.written === expected.a.size &&
        router.stats.routes.analytics!.written === expected.analytics.size,
      { description: "A and analytics finished while B is down", timeoutMs: 30_000 },
    );
    expect(router.stats.routes.a!.written).toBeGreaterThan(aWrittenAtOutage);
    expect(router.stats.routes.b!.written).toBe(bWrittenAtOutage);

    // Nothing acknowledged early: every acked entry is present in every destination whose filter matches it.
    const pending = new Set(
      ((await conn.call("XPENDING", "changes", "pipeline", "-", "+", 100_000)) as [string][]).map(
        ([id]) => id,
      ),
    );
    expect(pending.size).toBeGreaterThan(0);
    const acked = [...events.keys()].filter((id) => !pending.has(id));
    const stored = {
      a: await destinationContents(a),
      b: await destinationContents(bDirect),
      analytics: await destinationContents(analytics),
    };
    for (const route of ["a", "b", "analytics"] as const) {
      const missing = acked.filter(
        (id) => expected[route].has(`evt:${id}`) && !stored[route].has(`evt:${id}`),
      );
      expect(missing, `acked before ${route} had them`).toEqual([]);
    }
    // Exactly B's unwritten entries are pending (A and analytics are done).
    for (const id of pending) expect(expected.b.has(`evt:${id}`)).toBe(true);

    await outage.remove();
    await waitFor(() => router.stats.source.acked === 30_000, {
      description: "B caught up and everything was acknowledged",
      timeoutMs: 60_000,
    });
    router.stop();
    const stats = await run;
    expect(stats.routes.b!.failedAttempts).toBeGreaterThan(0);
    expect(events$.some((event) => event.type === "route-recovered" && event.route === "b")).toBe(true);
    expect(Number(((await conn.call("XPENDING", "changes", "pipeline")) as [number])[0])).toBe(0);

    // Every destination ends with exactly the rows its filter selects, field for field.
    const final = {
      a: await destinationContents(a),
      b: await destinationContents(bDirect),
      analytics: await destinationContents(analytics),
    };
    for (const route of ["a", "b", "analytics"] as const) {
      expect(new Set(final[route].keys()), route).toEqual(expected[route]);
      for (const [k, record] of final[route]) {
        const fields = events.get(k.slice(4))!;
        const want: Record<string, string> = {};
        for (let i = 0; i < fields.length; i += 2) want[fields[i]!] = fields[i + 1]!;
        expect(record).toEqual(want);
      }
    }
  });

  it("several routers share one group over a sharded source: each entry routed once per matching route", async () => {
    const [source, dest] = await Promise.all([server(), server()]);
    const conn = await connection(source.url);
    const destination = await connection(dest.url);
    const shards = ["{cdc}:0", "{cdc}:1", "{cdc}:2"];
    let total = 0;
    for (const [index, shard] of shards.entries())
      total += (await loadEvents(conn, shard, 5000, 100 + index)).size;
    const withKey = (frame: DataFrame) =>
      frame.withColumns(
        pl.concatString([pl.lit("evt:"), pl.col("_stream"), pl.lit("/"), pl.col("_id")], "").alias("_key"),
      );
    const routers = ["r1", "r2"].map((consumer) =>
      createRouter({
        source: {
          connection: conn,
          streams: shards,
          group: "pipeline",
          consumer,
          batchSize: 500,
          blockMs: 50,
        },
        routes: [
          { name: "big", filter: ROUTES.analytics, transform: withKey, sink: redisHashSink(destination) },
        ],
      }),
    );
    const runs = routers.map((router) => router.run());
    await waitFor(() => routers.reduce((sum, router) => sum + router.stats.source.acked, 0) === total, {
      description: "all shards routed by the two routers together",
      timeoutMs: 30_000,
    });
    for (const router of routers) router.stop();
    const stats = await Promise.all(runs);
    const frames = await Promise.all(shards.map((stream) => readStreamRange(conn, { stream })));
    const all = pl.concat(
      frames.map((frame, i) => frame.withColumn(pl.lit(shards[i]!).alias("_stream"))),
      { how: "vertical" },
    );
    const want = expectedKeys(all, ROUTES.analytics, (row) => `evt:${row._stream}/${row._id}`);
    const have = await destinationContents(destination);
    expect(new Set(have.keys())).toEqual(want);
    expect(stats.reduce((sum, s) => sum + s.routes.big!.written, 0)).toBe(want.size);
  });
});
