import { RecordingConnection } from "@polars-redis/testkit";
import pl from "nodejs-polars";
import { describe, expect, it } from "vitest";
import { InvalidArgumentError, readTimeseries, scanTimeseries } from "../src/index.js";
import { infoLabels } from "../src/scan/timeseries/timeseries-reader.js";
import { schemaOf } from "./fixtures/frame-rows.js";
import { KITCHEN_INFO, STOCK_A_MIN_20, timeseriesResponder } from "./fixtures/redistimeseries-replies.js";

function fakeTimeseries(options: Parameters<typeof timeseriesResponder>[0] = {}) {
  return new RecordingConnection({
    respond: timeseriesResponder(options),
    keyspace: new Map([
      ["temp:TLV", "TSDB-TYPE"],
      ["stock:A", "TSDB-TYPE"],
      ["temp:hash", "hash"],
    ]),
  });
}

const ms = (frame: pl.DataFrame, column = "_ts") => frame.getColumn(column).cast(pl.Int64).toArray();

describe("scanTimeseries over documented RedisTimeSeries replies", () => {
  it("reads samples as _ts Datetime(ms) and value Float64, with labels from TS.INFO", async () => {
    const conn = fakeTimeseries();
    const frame = await readTimeseries(conn, { keys: ["temp:TLV"], labels: ["location", "type"] });
    expect(conn.commands).toEqual([
      ["TS.INFO", "temp:TLV"],
      ["TS.RANGE", "temp:TLV", "-", "+", "COUNT", "100000"],
    ]);
    expect(schemaOf(frame)).toEqual({
      _key: "DataType(String)",
      _ts: "DataType(Datetime(ms,))",
      value: "DataType(Float64)",
      location: "DataType(String)",
      type: "DataType(String)",
    });
    expect(ms(frame)).toEqual([1000, 1010, 1020, 1030]);
    expect(frame.getColumn("value").toArray()).toEqual([30, 35, 9999, 40]);
    expect(frame.getColumn("location").toArray()).toEqual(["TLV", "TLV", "TLV", "TLV"]);
    expect(frame.getColumn("type").toArray()).toEqual(["temp", "temp", "temp", "temp"]);
  });

  it("aggregates into buckets (the reference page's AGGREGATION min 20 example)", async () => {
    const conn = fakeTimeseries();
    const frame = await readTimeseries(conn, { keys: ["stock:A"], aggregation: "min", bucketMs: 20 });
    expect(conn.commands).toEqual([
      ["TS.RANGE", "stock:A", "-", "+", "COUNT", "100000", "AGGREGATION", "min", "20"],
    ]);
    expect(ms(frame)).toEqual(STOCK_A_MIN_20.map(([timestamp]) => timestamp));
    expect(frame.getColumn("value").toArray()).toEqual(STOCK_A_MIN_20.map(([, value]) => Number(value)));
  });

  it("pages through long series: raw samples resume 1 ms after the last one", async () => {
    const conn = fakeTimeseries();
    const scan = scanTimeseries(conn, { keys: ["temp:TLV", "stock:A"], pageSize: 2 });
    const heights: number[] = [];
    for await (const frame of scan) heights.push(frame.height);
    expect(conn.commands.filter((command) => command[1] === "stock:A").map((command) => command[2])).toEqual([
      "-",
      "1011",
      "2001",
      "2021",
      "3011",
    ]);
    // Each round trip asks every unfinished series for its next page, and yields one frame of at most a page each.
    expect(conn.batchSizes).toEqual([2, 2, 2, 1, 1]);
    expect(heights).toEqual([4, 4, 2, 2, 1]);
    expect(scan.report.rows).toBe(13);
  });

  it("pages through buckets one bucket at a time", async () => {
    const conn = fakeTimeseries();
    const frame = await readTimeseries(conn, {
      keys: ["stock:A"],
      pageSize: 2,
      aggregation: "min",
      bucketMs: 20,
    });
    expect(conn.commands.map((command) => command.slice(2).join(" "))).toEqual([
      "- + COUNT 2 AGGREGATION min 20",
      "1040 + COUNT 2 AGGREGATION min 20",
      "2040 + COUNT 2 AGGREGATION min 20",
      "3040 + COUNT 2 AGGREGATION min 20",
    ]);
    expect(ms(frame)).toEqual(STOCK_A_MIN_20.map(([timestamp]) => timestamp));
  });

  it("limits each series with countPerSeries, and reads a time window given as numbers or Dates", async () => {
    const conn = fakeTimeseries();
    const firstThree = await readTimeseries(conn, { keys: ["temp:TLV"], countPerSeries: 3, pageSize: 1000 });
    expect(conn.commands.at(-1)).toEqual(["TS.RANGE", "temp:TLV", "-", "+", "COUNT", "3"]);
    expect(firstThree.height).toBe(3);

    const window = await readTimeseries(conn, { keys: ["temp:TLV"], start: new Date(1005), end: 1025 });
    expect(conn.commands.at(-1)).toEqual(["TS.RANGE", "temp:TLV", "1005", "1025", "COUNT", "100000"]);
    expect(window.getColumn("value").toArray()).toEqual([35, 9999]);
  });

  it("SCANs only time series, pipelines the batch's series, and applies filter before limit", async () => {
    const conn = fakeTimeseries();
    const frame = await readTimeseries(conn, { pattern: "*", filter: pl.col("value").lt(1000), limit: 5 });
    expect(conn.scans).toEqual([expect.objectContaining({ pattern: "*", type: "TSDB-TYPE" })]);
    expect(conn.batchSizes).toEqual([2]);
    expect(frame.height).toBe(5);
    expect(
      frame
        .getColumn("value")
        .toArray()
        .every((value) => (value as number) < 1000),
    ).toBe(true);
  });

  it("skips series that are gone or of another type, and counts them in the report", async () => {
    const conn = fakeTimeseries({ gone: ["stock:A"], wrongType: ["temp:hash"] });
    const scan = scanTimeseries(conn, { keys: ["temp:TLV", "stock:A", "temp:hash"], labels: ["type"] });
    let rows = 0;
    for await (const frame of scan) rows += frame.height;
    expect(rows).toBe(4);
    expect(scan.report).toMatchObject({ keysMissing: 1, keysWrongType: 1, complete: true });
    expect(conn.commands.filter((command) => command[0] === "TS.RANGE")).toEqual([
      ["TS.RANGE", "temp:TLV", "-", "+", "COUNT", "100000"],
    ]);
  });

  it("projects columns, renames them, and keeps every dtype in an empty result", async () => {
    const conn = fakeTimeseries();
    const frame = await readTimeseries(conn, {
      keys: ["telemetry:kitchen:temperature"],
      labels: ["room"],
      timestampColumn: "at",
      columns: ["at", "room"],
    });
    expect(frame.height).toBe(0);
    expect(schemaOf(frame)).toEqual({
      _key: "DataType(String)",
      at: "DataType(Datetime(ms,))",
      room: "DataType(String)",
    });
  });

  it("reads labels out of the reference page's TS.INFO reply", () => {
    expect([...infoLabels(KITCHEN_INFO)]).toEqual([
      ["room", "kitchen"],
      ["type", "temperature"],
    ]);
  });
});

describe("scanTimeseries rejects bad options before sending anything", () => {
  it.each([
    [{ aggregation: "avg" }, "bucketMs", /go together/],
    [{ bucketMs: 1000 }, "aggregation", /go together/],
    [{ aggregation: "median", bucketMs: 10 }, "aggregation", /unknown aggregator/],
    [{ aggregation: "avg", bucketMs: 0 }, "bucketMs", /positive integer/],
    [{ start: -5 }, "start", /epoch milliseconds/],
    [{ start: 2000, end: 1000 }, "start", /after end/],
    [{ end: new Date("nope") }, "end", /invalid Date/],
    [{ countPerSeries: 0 }, "countPerSeries", /positive integer/],
    [{ labels: ["value"] }, "labels", /distinct/],
    [{ columns: ["nope"] }, "columns", /none of/],
    [{ pageSize: 0 }, "pageSize", /integer from 1/],
  ])("%j", async (options, argument, message) => {
    const conn = fakeTimeseries();
    const error = await readTimeseries(conn, options as Parameters<typeof readTimeseries>[1]).catch(
      (e: unknown) => e,
    );
    expect(InvalidArgumentError.isInstance(error), String(error)).toBe(true);
    expect((error as InvalidArgumentError).argument).toBe(argument);
    expect((error as Error).message).toMatch(message);
    expect(conn.commands).toEqual([]);
    expect(conn.scans).toEqual([]);
  });
});
