import {
  ConnectionClosedError,
  connect,
  InvalidArgumentError,
  ModuleNotLoadedError,
  type RedisConnection,
  readHashes,
  SchemaMismatchError,
} from "@polars-redis/core";
import { useRedisConnection } from "@polars-redis/testkit/vitest";
import pl from "nodejs-polars";
import { afterAll, describe, expect, it } from "vitest";
import {
  redisHashSink,
  redisStreamSink,
  writeHashes,
  writeJson,
  writeLists,
  writeSets,
  writeStreams,
  writeStrings,
  writeTimeseries,
  writeToMany,
  writeZsets,
} from "../src/index.js";

const redis = useRedisConnection({ connect });

let monitor: RedisConnection | undefined;
/** Commands processed by the server, read over one connection kept for the file (its INFO counts once per reading). */
async function commandsProcessed(): Promise<number> {
  monitor ??= await connect(redis.server.url);
  const info = String(await monitor.call("INFO", "stats"));
  return Number(/total_commands_processed:(\d+)/.exec(info)![1]);
}
afterAll(() => monitor?.close());

async function expectRefused(fn: () => unknown, argument: string, message?: RegExp): Promise<void> {
  const before = await commandsProcessed();
  let error: unknown;
  try {
    await fn();
  } catch (caught) {
    error = caught;
  }
  expect(InvalidArgumentError.isInstance(error), String(error)).toBe(true);
  expect((error as InvalidArgumentError).argument).toBe(argument);
  if (message) expect((error as Error).message).toMatch(message);
  expect((await commandsProcessed()) - before, "commands sent by a refused call").toBe(1);
}

const frame = () => pl.DataFrame({ _key: ["u:1", "u:2"], name: ["Ada", "Bob"] });

describe("writers refuse wrong arguments before anything is sent", () => {
  it("a plain object of columns, undefined, swapped (Python) argument order, null connection", async () => {
    const { conn } = redis;
    await expectRefused(
      () => writeHashes(conn, { _key: ["a"], name: ["x"] } as never),
      "frame",
      /writeHashes expected a nodejs-polars DataFrame, got an object with keys _key, name; build a frame from columns with pl\.DataFrame/,
    );
    await expectRefused(() => writeHashes(conn, undefined as never), "frame", /got undefined/);
    await expectRefused(() => writeStrings(conn, undefined as never), "frame", /writeStrings/);
    await expectRefused(
      () => writeHashes(frame() as never, conn as never),
      "connection",
      /got a DataFrame \(2 columns\); the connection comes first, then the frame/,
    );
    await expectRefused(() => writeHashes(null as never, frame()), "connection", /got null/);
    await expectRefused(() => writeHashes(conn, frame().lazy() as never), "frame", /LazyFrame/);
    for (const writer of [writeJson, writeLists, writeSets, writeStreams, writeTimeseries, writeZsets]) {
      await expectRefused(() => writer(conn, [] as never), "frame", new RegExp(`${writer.name} expected`));
      await expectRefused(() => writer({} as never, frame()), "connection", new RegExp(writer.name));
    }
  });

  it("unknown options are refused with a did-you-mean hint", async () => {
    await expectRefused(
      () => writeHashes(redis.conn, frame(), { keycolumn: "_key" } as never),
      "keycolumn",
      /unknown option of writeHashes; did you mean "keyColumn"\?/,
    );
    await expectRefused(
      () => writeHashes(redis.conn, frame(), { ifexists: "append" } as never),
      "ifexists",
      /"ifExists"/,
    );
    await expectRefused(
      () => writeStreams(redis.conn, frame(), { maxlen: 5 } as never),
      "maxlen",
      /"maxLen"/,
    );
    await expectRefused(
      () => writeHashes(redis.conn, frame(), { retry: { initialMs: 5 } } as never),
      "retry.initialMs",
      /"initialDelayMs"/,
    );
    await expectRefused(
      () => redisHashSink(redis.conn, { keycolumn: "id" } as never),
      "keycolumn",
      /redisHashSink/,
    );
    await expectRefused(
      () => redisStreamSink(redis.conn, { signal: new AbortController().signal } as never),
      "signal",
    );
  });

  it("writeToMany checks the frame and every destination before writing anywhere", async () => {
    await expectRefused(
      () => writeToMany({ _key: ["a"] } as never, [{ name: "a", connection: redis.conn }]),
      "frame",
      /writeToMany expected a nodejs-polars DataFrame/,
    );
    await expectRefused(
      () => writeToMany(frame(), [{ name: "a", connection: redis.conn, timeout: 5 } as never]),
      "destinations[0].timeout",
      /did you mean "timeoutMs"/,
    );
    await expectRefused(
      () => writeToMany(frame(), [{ name: "a", connection: "redis://x" as never }]),
      "destinations[0].connection",
    );
    await expectRefused(() => writeToMany(frame(), []), "destinations");
  });
});

describe("a connection the caller closed", () => {
  it("fails the write with a non-retryable ConnectionClosedError, not per-key retryable errors", async () => {
    const conn = await connect(redis.server.url);
    // Used first (the hash writer's raw pipe is open), then closed by the caller.
    expect((await writeHashes(conn, frame())).written).toBe(2);
    await conn.close();
    const before = await commandsProcessed();
    for (const write of [
      () => writeHashes(conn, frame()),
      () => writeHashes(conn, frame(), { ifExists: "fail" }),
      () => writeStrings(conn, frame().rename({ name: "value" })),
    ]) {
      const error = await write().catch((e: unknown) => e);
      expect(ConnectionClosedError.isInstance(error), String(error)).toBe(true);
      expect((error as ConnectionClosedError).retryable).toBe(false);
    }
    expect((await commandsProcessed()) - before).toBe(1);
  });
});

describe("the natural round trip (decision 0162)", () => {
  it("a frame of JS numbers (Float64) written with writeHashes reads back with pl.Int64", async () => {
    const people = pl.DataFrame({ _key: ["p:1", "p:2"], name: ["Ada", "Bob"], age: [36, 45] });
    expect(people.getColumn("age").dtype.variant).toBe("Float64");
    const result = await writeHashes(redis.conn, people);
    expect(result.isCompleteSuccess()).toBe(true);
    // Stored as Polars writes a Float64: "36.0". Read as Int64 it is 36 (exact), as Float64 36.0.
    expect(await redis.conn.call("HGET", "p:1", "age")).toBe("36.0");
    const back = await readHashes(redis.conn, { pattern: "p:*", schema: { name: pl.Utf8, age: pl.Int64 } });
    expect(back.sort("_key").getColumn("age").toArray()).toEqual([36, 45]);
    expect(back.getColumn("age").dtype.variant).toBe("Int64");
    const asFloat = await readHashes(redis.conn, { pattern: "p:*", schema: { age: pl.Float64 } });
    expect(asFloat.sort("_key").getColumn("age").toArray()).toEqual([36, 45]);
  });

  it("a fraction is never rounded into an Int64: the error says how to fix it", async () => {
    await writeHashes(redis.conn, pl.DataFrame({ _key: ["q:1"], age: [51.5] }));
    const error = await readHashes(redis.conn, { pattern: "q:*", schema: { age: pl.Int64 } }).catch(
      (e: unknown) => e,
    );
    expect(SchemaMismatchError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(
      /cannot read "51\.5" as Int64; the value has a fraction.*pl\.Float64/,
    );
  });
});

describe("a server without the module (item 6)", () => {
  it("writeJson and writeTimeseries fail once with ModuleNotLoadedError, nothing written", async () => {
    const docs = pl.DataFrame({ _key: ["j:1", "j:2"], a: [1, 2] });
    const json = await writeJson(redis.conn, docs).catch((e: unknown) => e);
    expect(ModuleNotLoadedError.isInstance(json), String(json)).toBe(true);
    expect((json as ModuleNotLoadedError).module).toBe("ReJSON");
    expect((json as ModuleNotLoadedError).command).toBe("JSON.SET");
    const samples = pl.DataFrame([
      pl.Series("_key", ["t:1"]),
      pl.Series("_ts", [1_700_000_000_000], pl.Int64),
      pl.Series("value", [1.5]),
    ]);
    const ts = await writeTimeseries(redis.conn, samples).catch((e: unknown) => e);
    expect(ModuleNotLoadedError.isInstance(ts), String(ts)).toBe(true);
    expect((ts as ModuleNotLoadedError).module).toBe("timeseries");
    expect(await redis.conn.call("EXISTS", "j:1", "j:2", "t:1")).toBe(0);
  });
});
