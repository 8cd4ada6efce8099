import { connect, type RedisConnection } from "@polars-redis/core";
import { createFaultProxy, type FaultProxy, waitFor } from "@polars-redis/testkit";
import { useRedisConnection } from "@polars-redis/testkit/vitest";
import pl, { type DataFrame } from "nodejs-polars";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ConsumerOptions, createConsumer } from "../src/index.js";

const redis = useRedisConnection({ connect });
let proxy: FaultProxy;
let sliced: RedisConnection;

beforeAll(async () => {
  proxy = await createFaultProxy({ target: redis.server.url });
  sliced = await connect(proxy.url);
  // Entries with fields in different orders, missing fields, a field listed twice, multi-byte text, empty
  // values, values that do not fit their dtype, and a value larger than a socket chunk.
  const commands: [string, ...string[]][] = [];
  for (let i = 0; i < 3000; i++) {
    const fields: string[] =
      i % 2 === 0 ? ["n", String(i), "label", `é-${i}-测试`] : ["label", `x${i}`, "n", String(i)];
    if (i % 7 === 0) fields.push("price", (i / 4).toFixed(2));
    if (i % 11 === 0) fields.push("paid", i % 22 === 0 ? "true" : "no");
    if (i % 13 === 0) fields.push("at", new Date(Date.UTC(2024, 0, 1) + i * 1000).toISOString());
    if (i % 17 === 0) fields.push("n", "");
    if (i % 19 === 0) fields.push("price", "n/a");
    if (i === 1234) fields.push("blob", "z".repeat(200_000));
    for (const stream of ["fast:a", "fast:b"]) commands.push(["XADD", stream, `1-${i + 1}`, ...fields]);
  }
  const replies = await redis.conn.batch(commands);
  expect(replies.find((reply) => reply instanceof Error)).toBeUndefined();
});
afterAll(async () => {
  await sliced?.close();
  await proxy?.close();
});

/** The same connection without a raw channel: every read goes through the general client. */
function withoutRawChannel(connection: RedisConnection): RedisConnection {
  return {
    kind: connection.kind,
    call: (...args) => connection.call(...args),
    callBuffer: (...args) => connection.callBuffer(...args),
    batch: (...args) => connection.batch(...args),
    scanKeys: (options) => connection.scanKeys(options),
    duplicate: () => connection.duplicate(),
    close: async () => {},
  };
}

let groups = 0;
async function consumeAll(
  connection: RedisConnection,
  options: Omit<ConsumerOptions, "group" | "consumer">,
): Promise<DataFrame> {
  const consumer = createConsumer(connection, {
    ...options,
    group: `g${groups++}`,
    consumer: "c",
    blockMs: 20,
  });
  const frames: DataFrame[] = [];
  let rows = 0;
  const expected = options.streams ? 3000 * options.streams.length : 3000;
  const run = consumer.run((batch) => {
    frames.push(batch.frame);
    rows += batch.frame.height;
  });
  await waitFor(() => rows >= expected, { description: `${expected} rows consumed`, timeoutMs: 30_000 });
  consumer.stop();
  await run;
  const sortBy = options.streams ? ["_stream", "_seq"] : ["_seq"];
  return pl.concat(frames, { how: "diagonal" }).sort(sortBy);
}

describe("reads decoded straight into columns (raw channel) give the very frames of the ordinary path", () => {
  const layouts: [string, Omit<ConsumerOptions, "group" | "consumer">][] = [
    ["every field as text", { stream: "fast:a", includeSequence: true, batchSize: 250 }],
    [
      "a schema, values that do not fit nulled",
      {
        stream: "fast:a",
        includeSequence: true,
        batchSize: 250,
        onError: "null",
        schema: {
          n: pl.Int64,
          price: pl.Float64,
          paid: pl.Bool,
          at: pl.Datetime("ms"),
          label: pl.Categorical,
        },
      },
    ],
    [
      "a projection",
      { stream: "fast:a", includeSequence: true, columns: ["label", "price"], batchSize: 500 },
    ],
    ["two streams", { streams: ["fast:a", "fast:b"], includeSequence: true, batchSize: 300 }],
  ];
  it.each(layouts)("%s", async (_name, options) => {
    const fast = await consumeAll(redis.conn, options);
    const ordinary = await consumeAll(withoutRawChannel(redis.conn), options);
    expect(fast.columns).toEqual(ordinary.columns);
    expect(fast.dtypes.map(String)).toEqual(ordinary.dtypes.map(String));
    expect(fast.height).toBe(ordinary.height);
    for (const name of fast.columns) {
      const a = fast.getColumn(name).toArray();
      const b = ordinary.getColumn(name).toArray();
      const row = a.findIndex((value, i) => String(value) !== String(b[i]));
      expect(
        row,
        `column ${name}: row ${row}: ${String(a[row]).slice(0, 50)} vs ${String(b[row]).slice(0, 50)}`,
      ).toBe(-1);
    }
    expect(fast.frameEqual(ordinary, true)).toBe(true);
  });

  it("decodes replies cut into pieces of a few bytes", async () => {
    await using _slices = proxy.slice({ averageSize: 9, sizeVariation: 8, direction: "toClient" });
    const options = { stream: "fast:b", includeSequence: true, batchSize: 500 } as const;
    const fast = await consumeAll(sliced, options);
    const ordinary = await consumeAll(withoutRawChannel(redis.conn), options);
    expect(fast.frameEqual(ordinary, true)).toBe(true);
  });
});
