import { connect, type RedisConnection, RedisTimeoutError } from "@polars-redis/core";
import { useFaultProxy, useRedisConnection } from "@polars-redis/testkit/vitest";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { RawStreamReads } from "../src/fast/raw-stream-reads.js";
import { type ConsumerEvent, createConsumer } from "../src/index.js";

/**
 * Issue 11: stream reads decoded over the raw channel and XACKs over the shared raw pipe have the connection's
 * command timeout as their deadline: a server that stops answering fails them with a RedisTimeoutError instead
 * of leaving them waiting. Real redis-server, real TCP fault proxy in between.
 */
const redis = useRedisConnection({ connect });
const faults = useFaultProxy(() => redis.server);
const TIMEOUT_MS = 500;

let proxied: RedisConnection;
let groups = 0;

beforeAll(async () => {
  const commands: [string, ...string[]][] = [];
  for (let i = 1; i <= 500; i++) commands.push(["XADD", "deadline:s", `1-${i}`, "n", String(i)]);
  for (const reply of await redis.conn.batch(commands)) if (reply instanceof Error) throw reply;
});

beforeEach(async () => {
  proxied = await connect(faults.proxy.url, { commandTimeoutMs: TIMEOUT_MS });
});

afterEach(async () => {
  await faults.proxy.clearFaults();
  await proxied.close();
});

async function newGroup(): Promise<string> {
  const group = `g${groups++}`;
  await redis.conn.call("XGROUP", "CREATE", "deadline:s", group, "0");
  return group;
}

describe("raw stream reads", () => {
  it("fail with RedisTimeoutError at the connection's command timeout when the server goes silent, then recover", async () => {
    const group = await newGroup();
    const reads = new RawStreamReads(proxied, undefined);
    try {
      const read = (count: number) =>
        reads.read(
          [["XREADGROUP", "GROUP", group, "c", "COUNT", String(count), "STREAMS", "deadline:s", ">"]],
          60_000,
        );
      expect((await read(10)).rows).toBe(10);
      faults.proxy.blackhole();
      const error = await read(10).catch((failure: unknown) => failure);
      expect(RedisTimeoutError.isInstance(error)).toBe(true);
      // The connection's deadline, not the caller's much longer bound.
      expect((error as RedisTimeoutError).timeoutMs).toBe(TIMEOUT_MS);
      expect((error as RedisTimeoutError).command).toBe("XREADGROUP");
      await faults.proxy.clearFaults();
      // A new channel: the timed-out one may still hold a late reply, so it is never used again.
      expect((await read(10)).rows).toBeGreaterThan(0);
    } finally {
      reads.close();
    }
  });
});

describe("XACK over the raw pipe", () => {
  it("fails with RedisTimeoutError (outcome unknown) when the server goes silent: the ack is reported failed", async () => {
    const group = await newGroup();
    const events: ConsumerEvent[] = [];
    const consumer = createConsumer(proxied, {
      stream: "deadline:s",
      group,
      consumer: "c",
      batchSize: 50,
      blockMs: 20,
      retryBackoff: { initialMs: 10, maxMs: 20 },
      onEvent: (event) => events.push(event),
    });
    try {
      for await (const batch of consumer) {
        faults.proxy.blackhole();
        expect(await batch.ack()).toBe(0);
        break;
      }
    } finally {
      await faults.proxy.clearFaults();
      consumer.stop();
    }
    const failed = events.find((event) => event.type === "ack-failed");
    expect(failed).toBeDefined();
    const error = (failed as Extract<ConsumerEvent, { type: "ack-failed" }>).error;
    expect(RedisTimeoutError.isInstance(error)).toBe(true);
    expect((error as RedisTimeoutError).command).toBe("XACK");
    expect((error as RedisTimeoutError).timeoutMs).toBe(TIMEOUT_MS);
    // The proxy delivers the held XACKs once the partition heals: whether they were applied was unknown.
    expect((error as RedisTimeoutError).outcome).toBe("unknown");
  });
});
