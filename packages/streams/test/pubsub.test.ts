import { connect, InvalidArgumentError, SchemaMismatchError } from "@polars-redis/core";
import { waitFor } from "@polars-redis/testkit";
import { useRedisConnection } from "@polars-redis/testkit/vitest";
import pl from "nodejs-polars";
import { describe, expect, it } from "vitest";
import { collectPubSub, iterPubSub, type PubSubBatch, type PubSubStats } from "../src/index.js";

const redis = useRedisConnection({ connect });

async function publish(channel: string, payloads: readonly string[]): Promise<void> {
  const replies = await redis.conn.batch(payloads.map((payload) => ["PUBLISH", channel, payload]));
  const failed = replies.find((reply) => reply instanceof Error);
  if (failed) throw failed;
}

describe("iterPubSub", () => {
  it("hands out count windows: full batches as soon as batchSize messages wait", async () => {
    const subscription = iterPubSub(redis.server.url, {
      channels: ["ticks"],
      batchSize: 100,
      windowMs: 600_000,
    });
    await subscription.subscribed();
    await publish(
      "ticks",
      Array.from({ length: 250 }, (_, i) => `m${i}`),
    );
    const batches: PubSubBatch[] = [];
    for await (const batch of subscription) {
      batches.push(batch);
      if (batches.length === 2) break;
    }
    expect(batches.map((batch) => batch.frame.height)).toEqual([100, 100]);
    expect(batches[0]!.frame.columns).toEqual(["_channel", "_received_at", "message"]);
    expect(batches[0]!.frame.getColumn("message").toArray().slice(0, 3)).toEqual(["m0", "m1", "m2"]);
    expect(batches[1]!.frame.getColumn("message").toArray()[0]).toBe("m100");
    expect(String(batches[0]!.frame.getColumn("_received_at").dtype)).toContain("Datetime");
  });

  it("hands out time windows: a partial batch once the window of its first message has passed", async () => {
    const subscription = iterPubSub(redis.conn, { channels: ["slow"], batchSize: 1000, windowMs: 150 });
    await subscription.subscribed();
    await publish("slow", ["a", "b", "c"]);
    const iterator = subscription[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.value?.frame.getColumn("message").toArray()).toEqual(["a", "b", "c"]);
    await publish("slow", ["d"]);
    const second = await iterator.next();
    expect(second.value?.frame.getColumn("message").toArray()).toEqual(["d"]);
    await iterator.return?.();
    expect(subscription.stats).toMatchObject({ received: 4, delivered: 4, dropped: 0 });
  });

  it("parses JSON payloads into typed columns, with patterns", async () => {
    const subscription = iterPubSub(redis.server.url, {
      patterns: ["orders.*"],
      format: "json",
      schema: { id: pl.Int64, amount: pl.Float64, paid: pl.Bool },
      batchSize: 3,
    });
    await subscription.subscribed();
    await publish("orders.eu", [JSON.stringify({ id: 1, amount: 9.5, paid: true, extra: "x" })]);
    await publish("orders.us", [
      JSON.stringify({ id: 2, amount: 3, paid: false }),
      JSON.stringify({ id: 3 }),
    ]);
    let frame: pl.DataFrame | undefined;
    for await (const batch of subscription) {
      frame = batch.frame;
      break;
    }
    expect(frame!.columns).toEqual(["_channel", "_pattern", "_received_at", "id", "amount", "paid"]);
    expect(frame!.select("_channel", "_pattern", "id", "amount", "paid").rows()).toEqual([
      ["orders.eu", "orders.*", 1, 9.5, true],
      ["orders.us", "orders.*", 2, 3, false],
      ["orders.us", "orders.*", 3, null, null],
    ]);
    expect(String(frame!.getColumn("id").dtype)).toBe("DataType(Int64)");
  });

  it("counts malformed JSON (onError null) or raises a SchemaMismatchError naming the channel", async () => {
    const tolerant = iterPubSub(redis.conn, {
      channels: ["json"],
      format: "json",
      onError: "null",
      batchSize: 2,
    });
    await tolerant.subscribed();
    await publish("json", ['{"a":"1"}', "not json"]);
    for await (const batch of tolerant) {
      expect(batch.frame.getColumn("a").toArray()).toEqual(["1", null]);
      break;
    }
    expect(tolerant.stats.malformed).toBe(1);

    const strict = iterPubSub(redis.conn, { channels: ["json2"], format: "json", batchSize: 1 });
    await strict.subscribed();
    await publish("json2", ["[1,2]"]);
    const error = await (async () => {
      for await (const _batch of strict) break;
    })().catch((e: unknown) => e);
    expect(SchemaMismatchError.isInstance(error)).toBe(true);
    expect((error as SchemaMismatchError).key).toBe("json2");
  });

  it.each([
    ["drop-oldest", 40, 49],
    ["drop-newest", 0, 9],
  ] as const)(
    "bounds its buffer (%s) and counts every dropped message",
    async (overflow, firstKept, lastKept) => {
      const subscription = iterPubSub(redis.conn, {
        channels: [`flood-${overflow}`],
        maxBuffer: 10,
        batchSize: 10,
        overflow,
      });
      await subscription.subscribed();
      await publish(
        `flood-${overflow}`,
        Array.from({ length: 50 }, (_, i) => String(i)),
      );
      await waitFor(() => subscription.stats.received === 50, {
        description: "all 50 received",
        timeoutMs: 30_000,
      });
      for await (const batch of subscription) {
        const values = batch.frame.getColumn("message").toArray();
        expect(values[0]).toBe(String(firstKept));
        expect(values.at(-1)).toBe(String(lastKept));
        expect(batch.dropped).toBe(40);
        break;
      }
      expect(subscription.stats).toMatchObject({ received: 50, delivered: 10, dropped: 40 });
    },
  );
});

describe("collectPubSub", () => {
  it("collects up to a count", async () => {
    let stats: PubSubStats | undefined;
    const frame = await collectPubSub(redis.server.url, {
      channels: ["c1", "c2"],
      count: 5,
      onSubscribed: () => {
        void publish("c1", ["1", "2", "3"]).then(() => publish("c2", ["4", "5", "6", "7"]));
      },
      onStats: (s) => {
        stats = s;
      },
    });
    expect(frame.height).toBe(5);
    expect(frame.getColumn("message").toArray()).toEqual(["1", "2", "3", "4", "5"]);
    expect(stats?.delivered).toBe(5);
  });

  it("collects for a time window, and gives a typed empty frame when nothing came", async () => {
    const frame = await collectPubSub(redis.conn, {
      channels: ["quiet"],
      timeoutMs: 100,
      format: "json",
      schema: { n: pl.Int64 },
    });
    expect(frame.height).toBe(0);
    expect(frame.columns).toEqual(["_channel", "_received_at", "n"]);

    const some = await collectPubSub(redis.conn, {
      channels: ["some"],
      timeoutMs: 1000,
      onSubscribed: () => void publish("some", ["x", "y"]),
    });
    expect(some.getColumn("message").toArray()).toEqual(["x", "y"]);
  });

  it("refuses a collection that could never end, and other bad input, before subscribing", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ channels: ["a"] }, "count"],
      [{ count: 1 }, "channels"],
      [{ channels: ["a"], count: 1, format: "xml" }, "format"],
      [{ channels: ["a"], count: 1, overflow: "block" }, "overflow"],
      [{ channels: [""], count: 1 }, "channels[0]"],
      [{ channels: ["a"], count: 1, timeout: 100 }, "timeout"],
    ];
    for (const [options, argument] of cases) {
      const error = await collectPubSub(redis.conn, options as never).catch((e: unknown) => e);
      expect(InvalidArgumentError.isInstance(error), JSON.stringify(options)).toBe(true);
      expect((error as InvalidArgumentError).argument).toBe(argument);
    }
  });
});
