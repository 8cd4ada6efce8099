import { useRedisConnection } from "@polars-redis/testkit/vitest";
import pl from "nodejs-polars";
import { describe, expect, it } from "vitest";
import {
  type Command,
  connect,
  InvalidArgumentError,
  readStreams,
  type ScanReport,
  SchemaMismatchError,
  scanStreams,
} from "../src/index.js";
import { streamEntriesToFrame } from "../src/internal.js";
import { spyConnection } from "./fixtures/command-spy.js";

const redis = useRedisConnection({ connect });

describe("readStreams", () => {
  it("gives one row per entry with _id, _ts (Datetime ms), _seq and typed fields", async () => {
    await redis.send([
      ["XADD", "sx:a", "1700000000000-0", "temp", "21.5", "room", "kitchen"],
      ["XADD", "sx:a", "1700000000000-1", "temp", "22", "room", "hall"],
      ["XADD", "sx:a", "1700000000500-0", "room", "attic"],
    ]);
    const frame = await readStreams(redis.conn, {
      keys: ["sx:a"],
      schema: { temp: pl.Float64, room: pl.Categorical },
      includeSequence: true,
    });
    expect(frame.columns).toEqual(["_key", "_id", "_ts", "_seq", "temp", "room"]);
    const expectedDtypes = [pl.String, pl.String, pl.Datetime("ms"), pl.Int64, pl.Float64, pl.Categorical];
    expect(frame.dtypes.map(String)).toEqual(expectedDtypes.map(String));
    expect(frame.getColumn("_id").toArray()).toEqual([
      "1700000000000-0",
      "1700000000000-1",
      "1700000000500-0",
    ]);
    expect((frame.getColumn("_ts").toArray() as unknown as Date[]).map((d) => d.getTime())).toEqual([
      1700000000000, 1700000000000, 1700000000500,
    ]);
    expect(frame.getColumn("_seq").toArray()).toEqual([0, 1, 0]);
    expect(frame.getColumn("temp").toArray()).toEqual([21.5, 22, null]);
    expect(frame.getColumn("room").cast(pl.Utf8).toArray()).toEqual(["kitchen", "hall", "attic"]);
  });

  it("without a schema, every field becomes a Utf8 column, even when batches differ", async () => {
    await redis.send([
      ["XADD", "sx:free:1", "1-1", "a", "1"],
      ["XADD", "sx:free:2", "2-1", "b", "x", "a", "2"],
    ]);
    const frame = await readStreams(redis.conn, {
      keys: ["sx:free:1", "sx:free:2"],
      batchSize: 1,
      includeTimestamp: false,
    });
    expect(frame.columns).toEqual(["_key", "_id", "a", "b"]);
    expect(frame.toRecords()).toEqual([
      { _key: "sx:free:1", _id: "1-1", a: "1", b: null },
      { _key: "sx:free:2", _id: "2-1", a: "2", b: "x" },
    ]);
  });

  it("honours start, end and countPerStream", async () => {
    const commands: Command[] = [];
    for (let i = 1; i <= 20; i++) commands.push(["XADD", "sx:range", `${i}-0`, "i", String(i)]);
    await redis.send(commands);
    const between = await readStreams(redis.conn, {
      keys: ["sx:range"],
      schema: { i: pl.Int64 },
      start: "5",
      end: "9-0",
    });
    expect(between.getColumn("i").toArray()).toEqual([5, 6, 7, 8, 9]);
    const exclusive = await readStreams(redis.conn, {
      keys: ["sx:range"],
      schema: { i: pl.Int64 },
      start: "(18-0",
    });
    expect(exclusive.getColumn("i").toArray()).toEqual([19, 20]);
    const capped = await readStreams(redis.conn, {
      keys: ["sx:range"],
      schema: { i: pl.Int64 },
      countPerStream: 7,
      pageSize: 3,
    });
    expect(capped.getColumn("i").toArray()).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it("reads a long stream in XRANGE pages, continuing after the last id", async () => {
    const commands: Command[] = [];
    for (let i = 1; i <= 5000; i++) commands.push(["XADD", "sx:long", `${i}-${i % 3}`, "i", String(i)]);
    await redis.send(commands);
    const spy = spyConnection(redis.conn);
    const heights: number[] = [];
    const values: number[] = [];
    for await (const frame of scanStreams(spy, {
      keys: ["sx:long"],
      schema: { i: pl.Int64 },
      pageSize: 400,
    })) {
      heights.push(frame.height);
      values.push(...(frame.getColumn("i").toArray() as number[]));
    }
    expect(Math.max(...heights)).toBe(400);
    expect(values).toEqual(Array.from({ length: 5000 }, (_, i) => i + 1));
    const pages = spy.batches.flat();
    expect(pages[1]?.[2]).toBe("(400-1");
  });

  it("coerces fields with the same error policy as hashes", async () => {
    await redis.send([
      ["XADD", "sx:bad", "1-0", "n", "1"],
      ["XADD", "sx:bad", "2-0", "n", "two"],
    ]);
    const error = await readStreams(redis.conn, { keys: ["sx:bad"], schema: { n: pl.Int64 } }).catch(
      (e: unknown) => e,
    );
    expect(SchemaMismatchError.isInstance(error)).toBe(true);
    expect((error as SchemaMismatchError).key).toBe("sx:bad");
    let report: ScanReport | undefined;
    const frame = await readStreams(redis.conn, {
      keys: ["sx:bad"],
      schema: { n: pl.Int64 },
      onError: "null",
      onReport: (r) => {
        report = r;
      },
    });
    expect(frame.getColumn("n").toArray()).toEqual([1, null]);
    expect(report?.coercedToNull).toEqual({ n: 1 });
  });

  it("scans only streams under a mixed pattern, and skips deleted ones", async () => {
    await redis.send([
      ["XADD", "sx:mix:s", "1-0", "f", "v"],
      ["XADD", "sx:mix:gone", "1-0", "f", "v"],
      ["HSET", "sx:mix:h", "f", "v"],
    ]);
    const spy = spyConnection(redis.conn, async (commands) => {
      if (commands.some((command) => command[1] === "sx:mix:gone"))
        await redis.conn.call("DEL", "sx:mix:gone");
    });
    const frame = await readStreams(spy, { pattern: "sx:mix:*", schema: { f: pl.Utf8 } });
    expect(frame.getColumn("_key").toArray()).toEqual(["sx:mix:s"]);
  });

  it("rejects malformed ids before any I/O", () => {
    expect(() => scanStreams(redis.conn, { start: "yesterday" })).toThrow(InvalidArgumentError);
    expect(() => scanStreams(redis.conn, { end: "1-x" })).toThrow(InvalidArgumentError);
    expect(() => scanStreams(redis.conn, { countPerStream: 0 })).toThrow(InvalidArgumentError);
  });
});

describe("streamEntriesToFrame", () => {
  it("builds the scanStreams columns from entries already read, deleted entries as nulls", () => {
    const { frame, coercedToNull } = streamEntriesToFrame(
      [
        ["1700000000000-0", ["n", "1", "s", "a"]],
        [Buffer.from("1700000000001-5"), [Buffer.from("n"), Buffer.from("x")]],
        ["1700000000002-0", null],
      ],
      { schema: { n: pl.Int64, s: pl.Utf8 }, onError: "null", includeSequence: true },
    );
    expect(frame.columns).toEqual(["_id", "_ts", "_seq", "n", "s"]);
    expect(frame.getColumn("n").toArray()).toEqual([1, null, null]);
    expect(frame.getColumn("_seq").toArray()).toEqual([0, 5, 0]);
    expect(coercedToNull).toEqual({ n: 1 });
  });

  it("keeps every field as Utf8 without a schema", () => {
    const { frame } = streamEntriesToFrame([["1-0", ["a", "1", "b", "2"]]], { includeTimestamp: false });
    expect(frame.toRecords()).toEqual([{ _id: "1-0", a: "1", b: "2" }]);
  });
});
