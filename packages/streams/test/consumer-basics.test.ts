import { connect, InvalidArgumentError, StreamGapError } from "@polars-redis/core";
import { waitFor } from "@polars-redis/testkit";
import { useRedisConnection } from "@polars-redis/testkit/vitest";
import pl from "nodejs-polars";
import { describe, expect, it } from "vitest";
import { type ConsumerEvent, createConsumer } from "../src/index.js";
import { fillStream, streamIds } from "./fixtures/streams.js";

const redis = useRedisConnection({ connect });

async function pendingOf(stream: string, group: string): Promise<number> {
  const summary = (await redis.conn.call("XPENDING", stream, group)) as [number, ...unknown[]];
  return Number(summary[0]);
}

describe("createConsumer", () => {
  it("creates the group, delivers typed frames, and acks only after the handler succeeded", async () => {
    await fillStream(redis.conn, "basic", 250, (i) => ({ n: i }));
    const consumer = createConsumer(redis.conn, {
      stream: "basic",
      group: "g",
      consumer: "c1",
      batchSize: 100,
      blockMs: 50,
      schema: { n: pl.Int64 },
    });
    const seen: number[] = [];
    let pendingDuringHandler = -1;
    const columns = new Set<string>();
    const deliveries = new Set<number>();
    await consumer.run(async (batch) => {
      columns.add(batch.frame.columns.join(","));
      for (const count of batch.deliveries) deliveries.add(count);
      seen.push(...(batch.frame.getColumn("n").toArray() as number[]));
      if (pendingDuringHandler < 0) pendingDuringHandler = await pendingOf("basic", "g");
      if (seen.length === 250) consumer.stop();
    });
    expect([...columns]).toEqual(["_id,_ts,n"]);
    expect([...deliveries]).toEqual([1]);
    expect(pendingDuringHandler).toBe(100); // nothing acked before the handler returned
    expect(seen).toEqual(Array.from({ length: 250 }, (_, i) => i));
    expect(await pendingOf("basic", "g")).toBe(0);
    const stats = consumer.stats;
    expect(stats).toMatchObject({
      delivered: 250,
      acked: 250,
      failed: 0,
      deadLettered: 0,
      lost: 0,
      inFlight: 0,
    });
  });

  it("re-reads its own pending entries before new ones", async () => {
    await fillStream(redis.conn, "own", 30, (i) => ({ n: i }));
    const first = createConsumer(redis.conn, {
      stream: "own",
      group: "g",
      consumer: "c1",
      batchSize: 10,
      blockMs: 50,
    });
    for await (const batch of first) {
      expect(batch.ids[0]).toBe("1-1");
      break; // leaves 1-1..1-10 pending, unacknowledged
    }
    expect(await pendingOf("own", "g")).toBe(10);
    await fillStream(redis.conn, "own", 5, (i) => ({ n: 100 + i }), 31);
    const again = createConsumer(redis.conn, {
      stream: "own",
      group: "g",
      consumer: "c1",
      batchSize: 10,
      blockMs: 50,
    });
    const order: string[] = [];
    const sources: string[] = [];
    await again.run(async (batch) => {
      order.push(...batch.ids);
      sources.push(batch.source);
      if (order.length >= 35) again.stop();
    });
    expect(order.slice(0, 10)).toEqual(Array.from({ length: 10 }, (_, i) => `1-${i + 1}`));
    expect(sources[0]).toBe("pending");
    expect(new Set(order).size).toBe(35);
    expect(again.stats.redelivered).toBe(10);
    expect(await pendingOf("own", "g")).toBe(0);
  });

  it("redelivers failed entries alone and dead-letters poison entries after maxDeliveries", {
    timeout: 150_000,
  }, async () => {
    const ids = await fillStream(redis.conn, "jobs", 200, (i) => ({
      n: i,
      poison: i % 40 === 7 ? "yes" : "no",
    }));
    const poison = new Set(ids.filter((_, i) => i % 40 === 7));
    const events: ConsumerEvent[] = [];
    const processed = new Set<string>();
    const consumer = createConsumer(redis.conn, {
      stream: "jobs",
      group: "g",
      consumer: "c1",
      batchSize: 50,
      blockMs: 20,
      maxDeliveries: 3,
      redeliveryDelay: { initialMs: 5, maxMs: 20 },
      onEvent: (event) => events.push(event),
    });
    let failures = 0;
    const run = consumer.run(async (batch) => {
      const values = batch.frame.getColumn("poison").toArray() as string[];
      if (values.includes("yes")) {
        failures++;
        throw new Error("cannot handle a poison entry");
      }
      for (const id of batch.ids) processed.add(id);
    });
    await waitFor(
      async () => processed.size === 200 - poison.size && consumer.stats.deadLettered === poison.size,
      { description: "good entries processed and poison dead-lettered", timeoutMs: 120_000 },
    ).catch((error) => {
      throw new Error(
        `${error.message}: ${processed.size} processed, stats ${JSON.stringify(consumer.stats)}`,
      );
    });
    consumer.stop();
    const stats = await run;
    expect(failures).toBeGreaterThan(0);
    expect([...processed].some((id) => poison.has(id))).toBe(false);
    const dead = (await redis.conn.call("XRANGE", "jobs:dead-letter", "-", "+")) as [string, string[]][];
    const deadFields = dead.map(([, fields]) => Object.fromEntries(chunk(fields)));
    expect(new Set(deadFields.map((fields) => fields.source_id))).toEqual(poison);
    for (const fields of deadFields) {
      expect(fields).toMatchObject({ source_stream: "jobs", group: "g", deliveries: "3", poison: "yes" });
      expect(fields.reason).toContain("cannot handle a poison entry");
    }
    // Accounting: every entry is either processed-and-acked or dead-lettered, none twice, none missing.
    expect(processed.size + deadFields.length).toBe(200);
    expect(await pendingOf("jobs", "g")).toBe(0);
    expect(stats.deadLettered).toBe(poison.size);
    expect(events.some((event) => event.type === "entries-dead-lettered")).toBe(true);
  });

  it("reports entries deleted or trimmed while pending as lost, and carries on", async () => {
    await fillStream(redis.conn, "lossy", 20, (i) => ({ n: i }));
    const events: ConsumerEvent[] = [];
    const first = createConsumer(redis.conn, {
      stream: "lossy",
      group: "g",
      consumer: "c1",
      batchSize: 20,
      blockMs: 20,
    });
    for await (const _batch of first) break; // all 20 pending
    await redis.conn.call("XDEL", "lossy", "1-3", "1-4");
    await redis.conn.call("XTRIM", "lossy", "MINID", "1-11"); // 1-1..1-10 gone
    const processed: string[] = [];
    const consumer = createConsumer(redis.conn, {
      stream: "lossy",
      group: "g",
      consumer: "c1",
      batchSize: 20,
      blockMs: 20,
      onEvent: (event) => events.push(event),
    });
    const run = consumer.run((batch) => {
      processed.push(...batch.ids);
    });
    await waitFor(() => processed.length === 10 && consumer.stats.lost === 10, {
      description: "survivors processed, rest lost",
      timeoutMs: 30_000,
    });
    consumer.stop();
    await run;
    expect(processed).toEqual(Array.from({ length: 10 }, (_, i) => `1-${i + 11}`));
    const lost = events.flatMap((event) => (event.type === "entries-lost" ? event.ids : []));
    expect(lost.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `1-${i + 1}`).sort());
    expect(await pendingOf("lossy", "g")).toBe(0);
  });

  it("reports a gap when the stream is trimmed past the group's position (error or event policy)", async () => {
    await fillStream(redis.conn, "trimmed", 10, (i) => ({ n: i }));
    const reader = createConsumer(redis.conn, {
      stream: "trimmed",
      group: "g",
      consumer: "c1",
      batchSize: 4,
      blockMs: 20,
    });
    for await (const batch of reader) {
      await batch.ack();
      break; // group position: 1-4
    }
    await fillStream(redis.conn, "trimmed", 10, (i) => ({ n: 10 + i }), 11);
    await redis.conn.call("XTRIM", "trimmed", "MAXLEN", "5"); // keeps 1-16..1-20: 1-5..1-15 never delivered
    const strict = createConsumer(redis.conn, {
      stream: "trimmed",
      group: "g",
      consumer: "c1",
      batchSize: 4,
      blockMs: 20,
    });
    const error = await strict.run(() => {}).catch((e: unknown) => e);
    expect(StreamGapError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ stream: "trimmed", lastSeenId: "1-4", firstAvailableId: "1-16" });
    expect((error as Error).message).toContain("11 entries");
    expect(strict.stats).toMatchObject({ gaps: 1, missing: 11 });

    // Reported once: the next consumer (event policy or not) sees no gap and reads the rest.
    const events: ConsumerEvent[] = [];
    const next = createConsumer(redis.conn, {
      stream: "trimmed",
      group: "g",
      consumer: "c2",
      batchSize: 10,
      blockMs: 20,
      onGap: "event",
      onEvent: (event) => events.push(event),
    });
    const read: string[] = [];
    const run = next.run((batch) => {
      read.push(...batch.ids);
    });
    await waitFor(() => read.length === 5 && next.stats.lag === 0, {
      description: "the rest read and the lag checked",
      timeoutMs: 30_000,
    });
    next.stop();
    await run;
    expect(read).toEqual(["1-16", "1-17", "1-18", "1-19", "1-20"]);
    expect(events.filter((event) => event.type === "stream-gap")).toEqual([]);

    // Event policy: a new gap is reported as an event and consumption continues.
    await fillStream(redis.conn, "trimmed", 6, (i) => ({ n: 100 + i }), 21);
    await redis.conn.call("XTRIM", "trimmed", "MAXLEN", "2"); // 1-21..1-24 never delivered
    const tolerant = createConsumer(redis.conn, {
      stream: "trimmed",
      group: "g",
      consumer: "c2",
      batchSize: 10,
      blockMs: 20,
      onGap: "event",
      onEvent: (event) => events.push(event),
    });
    const after: string[] = [];
    const run2 = tolerant.run((batch) => {
      after.push(...batch.ids);
      if (after.length === 2) tolerant.stop();
    });
    await run2;
    expect(after).toEqual(["1-25", "1-26"]);
    const gaps = events.filter((event) => event.type === "stream-gap");
    expect(gaps).toEqual([
      {
        type: "stream-gap",
        stream: "trimmed",
        group: "g",
        lastDeliveredId: "1-20",
        firstAvailableId: "1-25",
        missing: 4,
      },
    ]);
    expect(await streamIds(redis.conn, "trimmed")).toEqual(["1-25", "1-26"]);
  });

  it("does not report history trimmed before the group was created as a gap", async () => {
    await fillStream(redis.conn, "old", 10, (i) => ({ n: i }));
    await redis.conn.call("XTRIM", "old", "MAXLEN", "3");
    const consumer = createConsumer(redis.conn, { stream: "old", group: "g", consumer: "c1", blockMs: 20 });
    const read: string[] = [];
    await consumer.run((batch) => {
      read.push(...batch.ids);
      if (read.length === 3) consumer.stop();
    });
    expect(read).toEqual(["1-8", "1-9", "1-10"]);
    expect(consumer.stats.gaps).toBe(0);
  });

  it("claims idle entries of a dead consumer", async () => {
    await fillStream(redis.conn, "claims", 40, (i) => ({ n: i }));
    const dead = createConsumer(redis.conn, {
      stream: "claims",
      group: "g",
      consumer: "dead",
      batchSize: 25,
      blockMs: 20,
    });
    for await (const _batch of dead) break; // 25 entries pending at "dead", forever
    const events: ConsumerEvent[] = [];
    const alive = createConsumer(redis.conn, {
      stream: "claims",
      group: "g",
      consumer: "alive",
      batchSize: 10,
      blockMs: 20,
      claimIdleMs: 200,
      claimIntervalMs: 100,
      onEvent: (event) => events.push(event),
    });
    const seen = new Set<string>();
    const run = alive.run((batch) => {
      for (const id of batch.ids) seen.add(id);
    });
    await waitFor(() => seen.size === 40, {
      description: "all 40 entries processed by the live consumer",
      timeoutMs: 30_000,
    });
    alive.stop();
    const stats = await run;
    expect(stats.claimed).toBe(25);
    expect(stats.redelivered).toBe(25);
    expect(await pendingOf("claims", "g")).toBe(0);
    expect(
      events
        .filter((event) => event.type === "entries-claimed")
        .flatMap((event) => (event.type === "entries-claimed" ? event.ids : [])).length,
    ).toBe(25);
  });

  it("rejects bad options before touching Redis", () => {
    const bad: [Record<string, unknown>, string][] = [
      [{ group: "g", consumer: "c" }, "stream"],
      [{ stream: "s", streams: ["t"], group: "g", consumer: "c" }, "streams"],
      [{ stream: "s", consumer: "c" }, "group"],
      [{ stream: "s", group: "g", consumer: "c", startId: "now" }, "startId"],
      [{ stream: "s", group: "g", consumer: "c", maxDeliveries: 0 }, "maxDeliveries"],
      [{ stream: "s", group: "g", consumer: "c", onGap: "ignore" }, "onGap"],
      [{ stream: "s", group: "g", consumer: "c", batchSize: -1 }, "batchSize"],
      [{ stream: "s", group: "g", consumer: "c", deadLetter: { stream: "s" } }, "deadLetter.stream"],
    ];
    for (const [options, argument] of bad) {
      let error: unknown;
      try {
        createConsumer(redis.conn, options as never);
      } catch (e) {
        error = e;
      }
      expect(InvalidArgumentError.isInstance(error), JSON.stringify(options)).toBe(true);
      expect((error as InvalidArgumentError).argument).toBe(argument);
    }
  });
});

function chunk(flat: readonly string[]): [string, string][] {
  const pairs: [string, string][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) pairs.push([flat[i]!, flat[i + 1]!]);
  return pairs;
}
