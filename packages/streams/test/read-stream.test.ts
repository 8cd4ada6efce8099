import { connect, InvalidArgumentError, SchemaMismatchError } from "@polars-redis/core";
import { useRedisConnection } from "@polars-redis/testkit/vitest";
import pl from "nodejs-polars";
import { beforeAll, describe, expect, it } from "vitest";
import { readStream, readStreamRange, scanStream, scanStreamRange } from "../src/index.js";
import { fillStream } from "./fixtures/streams.js";

const redis = useRedisConnection({ connect });

beforeAll(async () => {
  await fillStream(redis.conn, "orders", 2500, (i) => ({
    amount: (i * 1.5).toFixed(1),
    qty: i,
    paid: i % 2 === 0 ? "true" : "false",
    at: new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString(),
    ...(i % 10 === 0 ? { note: `n${i}` } : {}),
  }));
});

describe("readStreamRange", () => {
  it("reads every entry with _id, _ts, _seq (when asked) and typed fields", async () => {
    const frame = await readStreamRange(redis.conn, {
      stream: "orders",
      batchSize: 700,
      includeSequence: true,
      schema: { amount: pl.Float64, qty: pl.Int64, paid: pl.Bool, at: pl.Datetime("ms"), note: pl.Utf8 },
    });
    expect(frame.height).toBe(2500);
    expect(frame.columns).toEqual(["_id", "_ts", "_seq", "amount", "qty", "paid", "at", "note"]);
    expect(String(frame.getColumn("_ts").dtype)).toContain("Datetime");
    expect(String(frame.getColumn("_seq").dtype)).toBe("DataType(Int64)");
    expect(String(frame.getColumn("qty").dtype)).toBe("DataType(Int64)");
    expect(String(frame.getColumn("paid").dtype)).toBe("DataType(Bool)");
    const rows = frame.select("_id", "_seq", "amount", "qty", "paid", "at", "note").rows();
    expect(rows[0]).toEqual(["1-1", 1, 0, 0, true, new Date(Date.UTC(2024, 0, 1)), "n0"]);
    expect(rows[2499]).toEqual([
      "1-2500",
      2500,
      3748.5,
      2499,
      false,
      new Date(Date.UTC(2024, 0, 1) + 2499 * 60_000),
      null,
    ]);
    expect(frame.getColumn("_ts").toArray()[0]).toEqual(new Date(1));
    expect(frame.getColumn("qty").sum()).toBe((2499 * 2500) / 2);
  });

  it("pages with an exclusive start: no entry twice, none missed", async () => {
    const seen: string[] = [];
    for await (const page of scanStreamRange(redis.conn, { stream: "orders", batchSize: 333 })) {
      expect(page.height).toBeLessThanOrEqual(333);
      seen.push(...(page.getColumn("_id").toArray() as string[]));
    }
    expect(seen.length).toBe(2500);
    expect(new Set(seen).size).toBe(2500);
  });

  it("applies ranges, projection, a filter and a limit counted after the filter", async () => {
    const frame = await readStreamRange(redis.conn, {
      stream: "orders",
      start: "1-101",
      end: "1-2000",
      columns: ["qty"],
      includeTimestamp: false,
      includeSequence: false,
      schema: { qty: pl.Int64 },
      filter: pl.col("qty").modulo(7).eq(0),
      limit: 50,
      batchSize: 64,
    });
    expect(frame.columns).toEqual(["_id", "qty"]);
    expect(frame.height).toBe(50);
    const qty = frame.getColumn("qty").toArray() as number[];
    expect(qty.every((value) => value % 7 === 0 && value >= 100)).toBe(true);
    expect(qty[0]).toBe(105);
  });

  it("raises a SchemaMismatchError naming stream, entry, field and value, or nulls and counts", async () => {
    await redis.conn.call("XADD", "bad", "1-1", "qty", "12");
    await redis.conn.call("XADD", "bad", "1-2", "qty", "twelve");
    const error = await readStreamRange(redis.conn, { stream: "bad", schema: { qty: pl.Int64 } }).catch(
      (e: unknown) => e,
    );
    expect(SchemaMismatchError.isInstance(error)).toBe(true);
    expect((error as SchemaMismatchError).key).toBe("bad");
    expect((error as SchemaMismatchError).field).toBe("qty");
    expect((error as SchemaMismatchError).rawValue).toBe("twelve");

    let nulled: Record<string, number> = {};
    const frame = await readStreamRange(redis.conn, {
      stream: "bad",
      schema: { qty: pl.Int64 },
      onError: "null",
      onReport: (report) => {
        nulled = report.coercedToNull;
      },
    });
    expect(frame.getColumn("qty").toArray()).toEqual([12, null]);
    expect(nulled).toEqual({ qty: 1 });
  });

  it("gives a typed empty frame for a missing stream", async () => {
    const frame = await readStreamRange(redis.conn, { stream: "missing", schema: { qty: pl.Int64 } });
    expect(frame.height).toBe(0);
    expect(frame.columns).toEqual(["_id", "_ts", "qty"]);
  });

  it("rejects bad input before reading", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ stream: "" }, "stream"],
      [{ stream: "orders", batchSize: 0 }, "batchSize"],
      [{ stream: "orders", start: "yesterday" }, "start"],
      [{ stream: "orders", schema: { qty: "money" } }, "schema.qty"],
      [{ stream: "orders", onError: "ignore" }, "onError"],
    ];
    for (const [options, argument] of cases) {
      const error = await readStreamRange(redis.conn, options as never).catch((e: unknown) => e);
      expect(InvalidArgumentError.isInstance(error), JSON.stringify(options)).toBe(true);
      expect((error as InvalidArgumentError).argument).toBe(argument);
    }
  });
});

describe("readStream / scanStream (deprecated names)", () => {
  it("are the same functions as readStreamRange / scanStreamRange", () => {
    expect(readStream).toBe(readStreamRange);
    expect(scanStream).toBe(scanStreamRange);
  });
});
