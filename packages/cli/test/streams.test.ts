import { connect } from "@polars-redis/core";
import { createConsumer } from "@polars-redis/streams";
import { waitFor } from "@polars-redis/testkit";
import { useRedisConnection } from "@polars-redis/testkit/vitest";
import { beforeAll, describe, expect, it } from "vitest";
import { parseJson, runCli } from "./fixtures/run-cli.js";

interface Group {
  name: string;
  consumers: number;
  pending: number;
  lag: number | null;
  lastDeliveredId: string | null;
}

interface DeadLetter {
  id: string;
  sourceStream: string;
  sourceId: string;
  group: string;
  consumer: string;
  deliveries: number;
  reason: string;
  fields: [string, string][];
}

/**
 * The dead letters are made by the real thing: a @polars-redis/streams consumer whose handler keeps failing on
 * one entry until the consumer moves it to "orders:dead-letter".
 */
describe("streams", () => {
  const redis = useRedisConnection({ connect });
  let badId: string;
  const run = (args: string[]) => runCli(args, { url: redis.url });

  beforeAll(async () => {
    for (const sku of ["s1", "s2", "bad", "s3", "s4"]) {
      const id = (await redis.conn.call("XADD", "orders", "*", "sku", sku, "qty", "1")) as string;
      if (sku === "bad") badId = id;
    }
    await redis.conn.call("XGROUP", "CREATE", "orders", "audit", "0");
    await redis.conn.call("XREADGROUP", "GROUP", "audit", "w1", "COUNT", 2, "STREAMS", "orders", ">");

    const stop = new AbortController();
    const consumer = createConsumer(redis.conn, {
      stream: "orders",
      group: "billing",
      consumer: "worker-1",
      maxDeliveries: 4,
      blockMs: 100,
      redeliveryDelay: () => 10,
      signal: stop.signal,
    });
    const running = consumer.run(async (batch) => {
      const skus = batch.frame.getColumn("sku").toArray() as string[];
      if (skus.includes("bad")) throw new Error("price lookup failed for sku bad");
    });
    await waitFor(async () => (await redis.conn.call("XLEN", "orders:dead-letter")) === 1, {
      description: "the dead letter",
      timeoutMs: 60_000,
    });
    await waitFor(
      async () => ((await redis.conn.call("XPENDING", "orders", "billing")) as unknown[])[0] === 0,
      {
        description: "billing to ack everything",
        timeoutMs: 60_000,
      },
    );
    stop.abort();
    await running;
    await redis.conn.call("HSET", "not-a-stream", "a", "1");
  });

  it("info: length, first and last entries, groups", async () => {
    const result = await run(["streams", "info", "orders", "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const info = parseJson<{ length: number; firstId: string; lastId: string; groups: Group[] }>(result);
    expect(info.length).toBe(5);
    expect(info.groups.map((group) => group.name).sort()).toEqual(["audit", "billing"]);
    const text = await run(["streams", "info", "orders"]);
    expect(text.stdout).toMatch(/length: +5/);
    expect(text.stdout).toMatch(/audit +3 +2 +1 /);
  });

  it("lag: per group, not yet delivered and pending", async () => {
    const result = await run(["streams", "lag", "orders", "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const groups = parseJson<{ groups: Group[] }>(result).groups;
    expect(groups.find((group) => group.name === "audit")).toMatchObject({
      lag: 3,
      pending: 2,
      consumers: 1,
    });
    expect(groups.find((group) => group.name === "billing")).toMatchObject({ lag: 0, pending: 0 });
    const one = await run(["streams", "lag", "orders", "--group", "audit", "--json"]);
    expect(parseJson<{ groups: Group[] }>(one).groups.map((group) => group.name)).toEqual(["audit"]);
  });

  it("pending: per consumer with idle time, and the oldest entries", async () => {
    const result = await run(["streams", "pending", "orders", "--group", "audit", "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const [group] = parseJson<{
      groups: {
        pending: number;
        consumers: { name: string; pending: number; idleMs: number }[];
        entries: { id: string; consumer: string; deliveries: number }[];
      }[];
    }>(result).groups;
    expect(group!.pending).toBe(2);
    expect(group!.consumers).toEqual([expect.objectContaining({ name: "w1", pending: 2 })]);
    expect(group!.consumers[0]!.idleMs).toBeGreaterThanOrEqual(0);
    expect(group!.entries.map((entry) => [entry.consumer, entry.deliveries])).toEqual([
      ["w1", 1],
      ["w1", 1],
    ]);
    const text = await run(["streams", "pending", "orders", "--group", "audit"]);
    expect(text.stdout).toContain("group audit: 2 pending");
  });

  it("dlq list: the consumer's dead letter with where it came from and why", async () => {
    const result = await run(["streams", "dlq", "list", "orders", "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const list = parseJson<{ deadLetterStream: string; length: number; entries: DeadLetter[] }>(result);
    expect(list.deadLetterStream).toBe("orders:dead-letter");
    expect(list.length).toBe(1);
    const [entry] = list.entries;
    expect(entry).toMatchObject({
      sourceStream: "orders",
      sourceId: badId,
      group: "billing",
      consumer: "worker-1",
    });
    expect(entry!.deliveries).toBeGreaterThanOrEqual(2);
    expect(entry!.reason).toContain("price lookup failed");
    expect(entry!.fields).toEqual([
      ["sku", "bad"],
      ["qty", "1"],
    ]);
    const other = await run(["streams", "dlq", "list", "orders", "--group", "audit", "--json"]);
    expect(parseJson<{ entries: unknown[] }>(other).entries).toEqual([]);
  });

  it("dlq replay: back on the source stream, gone from the dead-letter stream (--dry-run changes nothing)", async () => {
    const dry = await run(["streams", "dlq", "replay", "orders", "--dry-run", "--json"]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(parseJson<{ replayed: unknown[] }>(dry).replayed).toHaveLength(1);
    expect(await redis.conn.call("XLEN", "orders:dead-letter")).toBe(1);
    expect(await redis.conn.call("XLEN", "orders")).toBe(5);

    const result = await run(["streams", "dlq", "replay", "orders", "--group", "billing", "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const replay = parseJson<{ replayed: { sourceId: string; newId: string }[]; failed: unknown[] }>(result);
    expect(replay.failed).toEqual([]);
    expect(replay.replayed).toEqual([expect.objectContaining({ sourceId: badId })]);
    expect(await redis.conn.call("XLEN", "orders:dead-letter")).toBe(0);
    expect(await redis.conn.call("XRANGE", "orders", replay.replayed[0]!.newId, "+")).toEqual([
      [replay.replayed[0]!.newId, ["sku", "bad", "qty", "1"]],
    ]);
    const lag = parseJson<{ groups: Group[] }>(
      await run(["streams", "lag", "orders", "--group", "billing", "--json"]),
    );
    expect(lag.groups[0]!.lag).toBe(1); // the replayed entry waits for billing
  });

  it("exits 4 for a missing stream or group, 6 for a key of another type", async () => {
    const stream = await run(["streams", "info", "no-such-stream"]);
    expect(stream.code).toBe(4);
    expect(stream.stderr).toContain('stream "no-such-stream" does not exist');
    const group = await run(["streams", "pending", "orders", "--group", "nope"]);
    expect(group.code).toBe(4);
    expect(group.stderr).toContain("groups: audit, billing");
    const dlq = await run(["streams", "dlq", "list", "no-such-stream"]);
    expect(dlq.code).toBe(4);
    const wrong = await run(["streams", "lag", "not-a-stream"]);
    expect(wrong.code).toBe(6);
    expect(wrong.stderr).toContain("WRONGTYPE");
  });
});
