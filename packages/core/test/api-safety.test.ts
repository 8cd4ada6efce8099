import { useRedisConnection } from "@polars-redis/testkit/vitest";
import { Redis } from "ioredis";
import pl from "nodejs-polars";
import { afterAll, describe, expect, it } from "vitest";
import {
  ConnectionClosedError,
  connect,
  type DtypeInput,
  existsKeys,
  InvalidArgumentError,
  inferHashSchema,
  keyInfo,
  type RedisConnection,
  readHashes,
  readStreams,
  scanHashes,
  setTtl,
} from "../src/index.js";
import { isDtypeName, resolveDtype } from "../src/internal.js";

const redis = useRedisConnection({ connect });

/**
 * Commands the server has processed, read over one monitoring client kept for the whole file (so its own setup
 * commands are not counted): the difference of two readings is 1 (the first INFO) when nothing else was sent.
 */
let monitor: Redis | undefined;
async function commandsProcessed(url: string): Promise<number> {
  monitor ??= new Redis(url);
  const info = await monitor.info("stats");
  return Number(/total_commands_processed:(\d+)/.exec(info)![1]);
}
afterAll(() => monitor?.disconnect());

/** Runs `fn`, expects an InvalidArgumentError naming `argument`, and that the server received nothing meanwhile. */
async function expectRefused(
  fn: () => unknown,
  argument: string | RegExp,
  message?: RegExp,
): Promise<InvalidArgumentError> {
  const before = await commandsProcessed(redis.server.url);
  let error: unknown;
  try {
    const result = fn();
    if (result && typeof (result as Promise<unknown>).then === "function") await result;
    else if (result && typeof (result as AsyncIterable<unknown>)[Symbol.asyncIterator] === "function") {
      for await (const _ of result as AsyncIterable<unknown>) break;
    }
  } catch (caught) {
    error = caught;
  }
  expect(InvalidArgumentError.isInstance(error), String(error)).toBe(true);
  const invalid = error as InvalidArgumentError;
  if (typeof argument === "string") expect(invalid.argument).toBe(argument);
  else expect(invalid.argument).toMatch(argument);
  if (message) expect(invalid.message).toMatch(message);
  // One command: the first INFO. Nothing from the refused call.
  expect((await commandsProcessed(redis.server.url)) - before).toBe(1);
  return invalid;
}

describe("unknown options", () => {
  it("a misspelt option is refused with a did-you-mean hint, before anything is sent", async () => {
    const { conn } = redis;
    await expectRefused(
      () => readHashes(conn, { patern: "user:*", schema: { name: pl.Utf8 } } as never),
      "patern",
      /unknown option of readHashes\/scanHashes; did you mean "pattern"\?/,
    );
    await expectRefused(() => readStreams(conn, { stream: "events" } as never), "stream", /readStreams/);
    await expectRefused(
      () => scanHashes(conn, { schema: { a: pl.Utf8 }, batchsize: 10 } as never),
      "batchsize",
      /did you mean "batchSize"/,
    );
    await expectRefused(
      () => existsKeys(conn, ["a"], { keycolumn: "id" } as never),
      "keycolumn",
      /"keyColumn"/,
    );
    await expectRefused(
      () => inferHashSchema(conn, { samplesize: 5 } as never),
      "samplesize",
      /"sampleSize"/,
    );
    await expectRefused(
      () => connect(redis.server.url, { connectTimeout: 5 } as never),
      "connectTimeout",
      /"connectTimeoutMs"/,
    );
  });

  it("options that are not an object are refused", async () => {
    await expectRefused(
      () => readHashes(redis.conn, "user:*" as never),
      "options",
      /expected an options object, got a string/,
    );
    await expectRefused(() => keyInfo(redis.conn, pl.DataFrame({ a: [1] }) as never), "options");
  });
});

describe("wrong arguments", () => {
  it("a missing or wrong connection names the argument and the likely mistake", async () => {
    const frame = pl.DataFrame({ _key: ["a"] });
    await expectRefused(
      () => existsKeys(null as never, ["a"]),
      "connection",
      /existsKeys expected a RedisConnection.*got null/,
    );
    await expectRefused(() => readHashes(frame as never, {}), "connection", /connection comes first/);
    await expectRefused(
      () => setTtl("redis://localhost" as never, ["a"], 5),
      "connection",
      /await connect\(url\)/,
    );
    const pending = Promise.resolve(redis.conn);
    await expectRefused(() => existsKeys(pending as never, ["a"]), "connection", /await/);
    const client = new Redis(redis.server.url, { lazyConnect: true });
    await expectRefused(() => existsKeys(client as never, ["a"]), "connection", /connect\(client\)/);
  });
});

describe("filters are checked against the schema before anything is sent", () => {
  const schema = { name: pl.Utf8, age: pl.Int64 };

  it("a bare string read as a column gets the pl.lit hint and the available columns", async () => {
    const error = await expectRefused(
      () => readHashes(redis.conn, { pattern: "user:*", schema, filter: pl.col("name").eq("Ada" as never) }),
      "filter",
    );
    expect(error.message).toContain('names the column "Ada"');
    expect(error.message).toContain("columns: _key, name, age");
    expect(error.message).toContain('pl.lit("Ada")');
  });

  it("a misspelt column gets a did-you-mean; a type error is reported with the columns' dtypes", async () => {
    await expectRefused(
      () => readHashes(redis.conn, { schema, filter: pl.col("agee").gt(30) }),
      "filter",
      /did you mean pl\.col\("age"\)/,
    );
    await expectRefused(
      () => readHashes(redis.conn, { schema, filter: pl.col("age").gt(pl.lit("x")) }),
      "filter",
      /cannot be applied to this scan's columns \(_key: String, name: String, age: Int64\)/,
    );
    await expectRefused(() => readHashes(redis.conn, { schema, filter: pl.col("age") }), "filter", /Boolean/);
  });

  it("a correct filter with pl.lit reads the matching rows", async () => {
    await redis.send([
      ["HSET", "f:1", "name", "Ada", "age", "36"],
      ["HSET", "f:2", "name", "Bob", "age", "45"],
    ]);
    const frame = await readHashes(redis.conn, {
      pattern: "f:*",
      schema,
      filter: pl.col("name").eq(pl.lit("Ada")),
    });
    expect(frame.getColumn("_key").toArray()).toEqual(["f:1"]);
  });
});

describe("connect()", () => {
  it('accepts "host:port" like connectCluster', async () => {
    const conn = await connect(`127.0.0.1:${redis.server.port}`);
    try {
      expect(await conn.call("PING")).toBe("PONG");
    } finally {
      await conn.close();
    }
  });

  it("refuses anything that would silently land on localhost:6379", async () => {
    const cases: Array<[unknown, string, RegExp]> = [
      [{}, "target", /localhost:6379 implicitly/],
      [{ url: redis.server.url }, "target.url", /pass the URL itself/],
      [{ socket: { host: "h", port: 1 } }, "target.socket", /node-redis/],
      [{ hots: "127.0.0.1", port: 1 }, "target.hots", /did you mean "host"/],
      [
        { sendCommand: () => undefined, isOpen: true, connect: () => undefined },
        "target",
        /node-redis client/,
      ],
      [42, "target", /got number 42/],
      [null, "target", /got null/],
      [Promise.resolve(), "target", /Promise/],
    ];
    for (const [target, argument, message] of cases) {
      const error = await connect(target as never).catch((e: unknown) => e);
      expect(InvalidArgumentError.isInstance(error), JSON.stringify(target)).toBe(true);
      expect((error as InvalidArgumentError).argument).toBe(argument);
      expect((error as Error).message).toMatch(message);
    }
  });
});

describe("a connection closed by the caller", () => {
  it("fails with a distinct, non-retryable ConnectionClosedError and sends nothing", async () => {
    const conn: RedisConnection = await connect(redis.server.url);
    await conn.close();
    const before = await commandsProcessed(redis.server.url);
    const failures: unknown[] = [];
    failures.push(await conn.call("PING").catch((e: unknown) => e));
    failures.push(await conn.batch([["PING"]]).catch((e: unknown) => e));
    try {
      for await (const _ of conn.scanKeys({ pattern: "*" })) break;
    } catch (error) {
      failures.push(error);
    }
    failures.push(await readHashes(conn, { schema: { a: pl.Utf8 } }).catch((e: unknown) => e));
    failures.push(await existsKeys(conn, ["a"]).catch((e: unknown) => e));
    expect(failures).toHaveLength(5);
    for (const failure of failures) {
      expect(ConnectionClosedError.isInstance(failure), String(failure)).toBe(true);
      expect((failure as ConnectionClosedError).retryable).toBe(false);
      expect((failure as ConnectionClosedError).code).toBe("CONNECTION_CLOSED");
      expect((failure as ConnectionClosedError).outcome).toBe("rejected");
    }
    expect((await commandsProcessed(redis.server.url)) - before).toBe(1);
  });

  it("an application's own ioredis client that it quit is reported the same way", async () => {
    const client = new Redis(redis.server.url, { protocol: 2, autoResendUnfulfilledCommands: false });
    const conn = await connect(client);
    await client.quit();
    const error = await conn.call("PING").catch((e: unknown) => e);
    expect(ConnectionClosedError.isInstance(error)).toBe(true);
  });
});

describe("dtype names", () => {
  it("are a union of the real names: a typo does not compile, and at run time gets a hint", () => {
    const good: DtypeInput[] = ["int64", "Int64", "UTF8", "datetime[ms, UTC]", "list[int64]", pl.Float64];
    for (const dtype of good) expect(() => resolveDtype(dtype, "schema.x")).not.toThrow();
    // @ts-expect-error "integer" is not a dtype name
    const bad: DtypeInput = "integer";
    expect(() => resolveDtype(bad, "schema.age")).toThrow(
      /schema\.age: unknown dtype "integer"; did you mean "int64"\?/,
    );
    expect(() => resolveDtype("flaot64", "schema.x")).toThrow(/did you mean "float64"/);
    expect(isDtypeName("Datetime[us]")).toBe(true);
    expect(isDtypeName("integer")).toBe(false);
  });
});
