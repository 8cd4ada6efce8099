import { type RedisConnection, StreamGapError } from "@polars-redis/core";
import { crashAndRestart, waitFor } from "@polars-redis/testkit";
import { describe, expect, it } from "vitest";
import { type ConsumerEvent, type ConsumerStats, createConsumer } from "../src/index.js";
import { usePerTestServers } from "./fixtures/per-test-servers.js";
import { fillStream } from "./fixtures/streams.js";

// Gap detection must never report entries as "never delivered" that were delivered (after a kill -9 + AOF
// restart, or a replica's promotion, Redis 7.0's entries-read counter can be stale), and must still catch a
// real trim past the group's position.

// Connections get a generous timeout: AOF with fsync on every write on a busy machine; the consumer's reads retry anyway.
const { server, connection } = usePerTestServers({ commandTimeoutMs: 15_000 });

async function groupInfo(
  conn: RedisConnection,
  stream: string,
  group: string,
): Promise<Record<string, unknown>> {
  const groups = (await conn.call("XINFO", "GROUPS", stream)) as unknown[][];
  for (const flat of groups) {
    const info: Record<string, unknown> = {};
    for (let i = 0; i < flat.length; i += 2) info[String(flat[i])] = flat[i + 1];
    if (info.name === group) return info;
  }
  throw new Error(`no group ${group}`);
}

/** Consumes until `processed` holds `total` ids and the group has nothing pending; resolves with the stats. */
async function consumeAll(
  conn: RedisConnection,
  stream: string,
  total: number,
  events: ConsumerEvent[],
  processed: Set<string>,
  during?: () => Promise<void>,
): Promise<ConsumerStats> {
  const consumer = createConsumer(conn, {
    stream,
    group: "g",
    consumer: "c1",
    batchSize: 500,
    blockMs: 50,
    checkIntervalMs: 50,
    claimIdleMs: 1000,
    retryBackoff: { initialMs: 20, maxMs: 300 },
    onEvent: (event) => events.push(event),
  });
  let failure: unknown;
  const run = consumer.run((batch) => {
    for (const id of batch.ids) processed.add(id);
  });
  run.catch((error: unknown) => {
    failure = error;
  });
  if (during !== undefined) await during();
  await waitFor(
    async () => {
      if (failure !== undefined) return true;
      if (processed.size < total) return false;
      const info = await groupInfo(conn, stream, "g").catch(() => undefined);
      // Caught up and several checks done since: a false gap would have been reported by now.
      return info?.pending === 0 && consumer.stats.lag === 0;
    },
    { timeoutMs: 90_000, description: "everything processed" },
  );
  // A few more checks (every 50 ms) of the caught-up group: where a false gap used to be reported.
  await new Promise((resolve) => setTimeout(resolve, 300));
  consumer.stop();
  return run;
}

describe("gap detection", () => {
  it("reports no gap after kill -9 + AOF restart mid-way (stale entries-read), and still catches a real trim", {
    timeout: 180_000,
  }, async () => {
    const source = await server({ persistence: true });
    const conn = await connection(source.url);
    const sent = await fillStream(conn, "orders", 30_000, (i) => ({ n: i }));
    // A group created with an explicit counter (as this library did before, and as any client may): its counter
    // is replayed as 0 after the restart while last-delivered-id moves on, the reproduction of issue 12.
    await conn.call("XGROUP", "CREATE", "orders", "g", "0", "ENTRIESREAD", "0");
    const events: ConsumerEvent[] = [];
    const processed = new Set<string>();
    const stats = await consumeAll(conn, "orders", sent.length, events, processed, async () => {
      await waitFor(() => processed.size >= 8000, {
        timeoutMs: 60_000,
        description: "consumption under way",
      });
      await crashAndRestart(source);
    });
    expect(events.filter((event) => event.type === "stream-gap")).toEqual([]);
    expect(stats.gaps).toBe(0);
    expect(processed.size).toBe(sent.length);
    // Counter proven stale once caught up: reset to "unknown", and Redis derived it again (= entries-added).
    await conn.call("XADD", "orders", "1-30001", "n", "last");
    const after = createConsumer(conn, { stream: "orders", group: "g", consumer: "c1", blockMs: 20 });
    await after.run(() => after.stop());
    expect((await groupInfo(conn, "orders", "g"))["entries-read"]).toBe(30_001);

    // A real trim past the group's position after all this is still caught, with the exact count.
    await fillStream(conn, "orders", 100, (i) => ({ n: i }), 30_002); // 1-30002 .. 1-30101
    await conn.call("XTRIM", "orders", "MAXLEN", "40"); // 1-30002 .. 1-30061 never delivered
    const strict = createConsumer(conn, { stream: "orders", group: "g", consumer: "c1", blockMs: 20 });
    const error = await strict.run(() => {}).catch((e: unknown) => e);
    expect(StreamGapError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ stream: "orders", lastSeenId: "1-30001", firstAvailableId: "1-30062" });
    expect((error as Error).message).toContain("60 entries");
  });

  it("reports no gap after a replica is promoted mid-way, and catches a real trim on the promoted server", {
    timeout: 180_000,
  }, async () => {
    const primary = await server();
    const replica = await server({ args: ["--replicaof", "127.0.0.1", String(primary.port)] });
    const conn = await connection(primary.url);
    const sent = await fillStream(conn, "orders", 20_000, (i) => ({ n: i }));
    const events: ConsumerEvent[] = [];
    const processed = new Set<string>();
    const first = createConsumer(conn, {
      stream: "orders",
      group: "g",
      consumer: "c1",
      batchSize: 500,
      blockMs: 50,
      onEvent: (event) => events.push(event),
    });
    const run = first.run((batch) => {
      for (const id of batch.ids) processed.add(id);
      if (processed.size >= 9000) first.stop();
    });
    await run;
    // Everything the primary acknowledged is on the replica before the primary dies.
    expect(Number(await conn.call("WAIT", 1, 10_000))).toBe(1);
    await primary.kill();
    const promoted = await connection(replica.url);
    await promoted.call("REPLICAOF", "NO", "ONE");
    expect((await groupInfo(promoted, "orders", "g"))["last-delivered-id"]).not.toBe("0-0");

    const stats = await consumeAll(promoted, "orders", sent.length, events, processed);
    expect(events.filter((event) => event.type === "stream-gap")).toEqual([]);
    expect(stats.gaps).toBe(0);
    expect(processed.size).toBe(sent.length);

    await fillStream(promoted, "orders", 10, (i) => ({ n: i }), 20_001);
    await promoted.call("XTRIM", "orders", "MAXLEN", "3"); // 1-20001 .. 1-20007 never delivered
    const strict = createConsumer(promoted, { stream: "orders", group: "g", consumer: "c1", blockMs: 20 });
    const error = await strict.run(() => {}).catch((e: unknown) => e);
    expect(error).toMatchObject({ stream: "orders", lastSeenId: "1-20000", firstAvailableId: "1-20008" });
    expect(strict.stats).toMatchObject({ gaps: 1, missing: 7 });
  });

  it("names the earliest id still to come as firstAvailableId when the stream was emptied past the group", async () => {
    const source = await server();
    const conn = await connection(source.url);
    await fillStream(conn, "emptied", 10, (i) => ({ n: i }));
    const reader = createConsumer(conn, {
      stream: "emptied",
      group: "g",
      consumer: "c1",
      batchSize: 4,
      blockMs: 20,
    });
    for await (const batch of reader) {
      await batch.ack();
      break; // position 1-4
    }
    await conn.call("XTRIM", "emptied", "MAXLEN", "0");
    const strict = createConsumer(conn, { stream: "emptied", group: "g", consumer: "c1", blockMs: 20 });
    const error = await strict.run(() => {}).catch((e: unknown) => e);
    expect(StreamGapError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ lastSeenId: "1-4", firstAvailableId: "1-11" });
    expect((error as Error).message).toContain("6 entries");
    expect((error as Error).message).toContain("the stream is empty");

    // Caught up, then emptied: nothing was skipped, no gap.
    await fillStream(conn, "emptied", 5, (i) => ({ n: i }), 11);
    const events: ConsumerEvent[] = [];
    const tolerant = createConsumer(conn, {
      stream: "emptied",
      group: "g",
      consumer: "c1",
      blockMs: 20,
      checkIntervalMs: 20,
      onEvent: (event) => events.push(event),
    });
    const read: string[] = [];
    const run = tolerant.run((batch) => {
      read.push(...batch.ids);
    });
    await waitFor(() => read.length === 5, { description: "the new entries read" });
    await conn.call("XTRIM", "emptied", "MAXLEN", "0");
    const checks = tolerant.stats.batches;
    await new Promise((resolve) => setTimeout(resolve, 300));
    tolerant.stop();
    const stats = await run;
    expect(checks).toBe(stats.batches);
    expect(stats.gaps).toBe(0);
    expect(events.filter((event) => event.type === "stream-gap")).toEqual([]);
  });
});
