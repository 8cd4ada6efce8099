import { connect, type RedisConnection } from "@polars-redis/core";
import { waitFor } from "@polars-redis/testkit";
import { useFaultProxy, useRedis } from "@polars-redis/testkit/vitest";
import { afterEach, describe, expect, it } from "vitest";
import { type ConsumerEvent, createConsumer } from "../src/index.js";
import { fillStream } from "./fixtures/streams.js";

const redis = useRedis();
const proxy = useFaultProxy(() => redis.server);

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

async function connection(url: string, commandTimeoutMs = 5000): Promise<RedisConnection> {
  const conn = await connect(url, { commandTimeoutMs });
  cleanups.push(() => conn.close());
  return conn;
}

async function pendingOf(conn: RedisConnection, stream: string, consumer: string): Promise<string[]> {
  const rows = (await conn.call("XPENDING", stream, "g", "-", "+", 1000, consumer)) as [string][];
  return rows.map(([id]) => id);
}

describe("a handler that never settles", () => {
  it("stop() settles run() within stopTimeoutMs, and the stuck entries become claimable by another consumer", async () => {
    const conn = await connection(redis.url);
    const ids = await fillStream(conn, "stuck", 5, (i) => ({ n: i }));
    let started = false;
    const stuck = createConsumer(conn, {
      stream: "stuck",
      group: "g",
      consumer: "stuck",
      blockMs: 20,
      claimIdleMs: 300,
      heartbeatIntervalMs: 50,
      stopTimeoutMs: 500,
    });
    const run = stuck.run(() => {
      started = true;
      return new Promise<void>(() => {});
    });
    await waitFor(() => started, { description: "the handler running" });
    stuck.stop();
    const stats = await run; // settles: before the fix it never did
    expect(stats.inFlight).toBe(0);
    expect(await pendingOf(conn, "stuck", "stuck")).toEqual(ids);

    const processed: string[] = [];
    const rescuer = createConsumer(conn, {
      stream: "stuck",
      group: "g",
      consumer: "rescuer",
      blockMs: 20,
      claimIdleMs: 300,
      claimIntervalMs: 50,
    });
    const rescue = rescuer.run((batch) => {
      processed.push(...batch.ids);
      if (processed.length === ids.length) rescuer.stop();
    });
    await rescue;
    expect(processed.sort()).toEqual([...ids].sort());
    expect(rescuer.stats.claimed).toBe(ids.length);
  });

  it("handlerTimeoutMs fails the batch: its entries are handed back and redelivered while the handler still hangs", async () => {
    const conn = await connection(redis.url);
    const ids = await fillStream(conn, "slow", 3, (i) => ({ n: i }));
    const events: ConsumerEvent[] = [];
    let calls = 0;
    const done: string[] = [];
    const consumer = createConsumer(conn, {
      stream: "slow",
      group: "g",
      consumer: "c1",
      blockMs: 20,
      handlerTimeoutMs: 300,
      claimIdleMs: 60_000,
      heartbeatIntervalMs: 50,
      redeliveryDelay: { initialMs: 10, maxMs: 10 },
      onEvent: (event) => events.push(event),
    });
    const run = consumer.run((batch) => {
      if (++calls === 1) return new Promise<void>(() => {}); // hangs forever
      done.push(...batch.ids);
      if (done.length === ids.length) consumer.stop();
    });
    await run;
    expect(done.sort()).toEqual([...ids].sort());
    const failed = events.find((event) => event.type === "batch-failed");
    expect(failed).toMatchObject({ error: { name: "HandlerTimeoutError", code: "TIMEOUT" } });
    expect(consumer.stats).toMatchObject({ failed: 3, acked: 3, inFlight: 0 });
  });

  it("rejects bad timeouts before touching Redis", async () => {
    const conn = await connection(redis.url);
    expect(() =>
      createConsumer(conn, { stream: "x", group: "g", consumer: "c", handlerTimeoutMs: 0 }),
    ).toThrow(/handlerTimeoutMs/);
    expect(() => createConsumer(conn, { stream: "x", group: "g", consumer: "c", stopTimeoutMs: -1 })).toThrow(
      /stopTimeoutMs/,
    );
  });
});

describe("consumer stats", () => {
  it("refreshes the lag once everything was consumed", async () => {
    const conn = await connection(redis.url);
    await fillStream(conn, "lagging", 2000, (i) => ({ n: i }));
    const seenLag: (number | undefined)[] = [];
    const consumer = createConsumer(conn, {
      stream: "lagging",
      group: "g",
      consumer: "c1",
      batchSize: 100,
      blockMs: 20,
      checkIntervalMs: 600_000, // one check, at the start
    });
    let read = 0;
    const run = consumer.run((batch) => {
      seenLag.push(consumer.stats.lag);
      read += batch.ids.length;
    });
    await waitFor(() => read === 2000 && consumer.stats.lag === 0, {
      timeoutMs: 30_000,
      description: "everything read and the lag at 0",
    });
    consumer.stop();
    const stats = await run;
    expect(seenLag[0]).toBe(2000);
    expect(stats.lag).toBe(0);
  });

  it("counts acknowledgement retries during a source outage", async () => {
    const direct = await connection(redis.url);
    const conn = await connection(proxy.proxy.url, 500);
    await fillStream(direct, "acks", 10, (i) => ({ n: i }));
    const consumer = createConsumer(conn, {
      stream: "acks",
      group: "g",
      consumer: "c1",
      blockMs: 20,
      retryBackoff: { initialMs: 100, maxMs: 200 },
    });
    let outage: { remove(): Promise<void> } | undefined;
    const run = consumer.run(async () => {
      if (outage !== undefined) return;
      // The source goes silent just before this batch is acknowledged, and comes back a little later.
      outage = proxy.proxy.blackhole();
      const healed = outage;
      setTimeout(() => void healed.remove(), 1500);
    });
    await waitFor(
      async () =>
        Number(((await direct.call("XPENDING", "acks", "g")) as [number])[0]) === 0 && outage !== undefined,
      { timeoutMs: 30_000, description: "the batch acknowledged after the outage" },
    );
    consumer.stop();
    const stats = await run;
    expect(stats.acked).toBe(10);
    expect(stats.retries).toBeGreaterThan(0);
  });
});
