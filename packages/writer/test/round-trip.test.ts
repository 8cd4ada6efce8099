import { connect, readHashes } from "@polars-redis/core";
import { useRedisConnection } from "@polars-redis/testkit/vitest";
import pl from "nodejs-polars";
import { describe, expect, it } from "vitest";
import { writeHashes } from "../src/index.js";

const redis = useRedisConnection({ connect });

describe("write → read round trip", () => {
  it("reads back the frame it wrote, with the same schema, nulls and exact values", async () => {
    const frame = pl.DataFrame([
      pl.Series("_key", ["rt:1", "rt:2", "rt:3"]),
      pl.Series("name", ["ada", null, "ünïcode ✓"]),
      pl.Series("big", BigInt64Array.from([9007199254740993n, -1n, 0n])),
      pl.Series("small", Int32Array.from([1, -2, 3])),
      pl.Series("ratio", [0.1, Number.NEGATIVE_INFINITY, 1e-7]),
      pl.Series("flag", [true, false, null]),
      pl
        .Series("day", [new Date(Date.UTC(1999, 11, 31)), null, new Date(Date.UTC(2024, 1, 29))])
        .cast(pl.Date),
      pl.Series("at", [new Date(Date.UTC(2024, 0, 15, 10, 30, 0, 123)), new Date(0), null]),
      pl
        .Series("zoned", [new Date(Date.UTC(2024, 5, 1, 12)), null, new Date(Date.UTC(2000, 0, 1))])
        .cast(pl.Datetime("us", "Europe/Paris")),
    ]);
    const schema = schemaWithoutKey(frame.schema);
    const result = await writeHashes(redis.conn, frame);
    expect(result.written).toBe(3);

    const read = (await readHashes(redis.conn, { pattern: "rt:*", schema })).sort("_key");
    expect(read.columns).toEqual(frame.columns);
    for (const name of frame.columns) {
      expect(String(read.getColumn(name).dtype), name).toBe(String(frame.getColumn(name).dtype));
      expect(read.getColumn(name).cast(pl.Utf8).toArray(), name).toEqual(
        frame.getColumn(name).cast(pl.Utf8).toArray(),
      );
    }
  });

  it("reads with the frame's own schema, a naive Datetime(ms) column included", async () => {
    // nodejs-polars reports the time zone of a naive Datetime column of a frame as "", not null.
    const frame = pl.DataFrame([
      pl.Series("_key", ["naive:1", "naive:2"]),
      pl.Series("at", [Date.UTC(2024, 0, 15, 10, 30, 0, 123), null]).cast(pl.Datetime("ms")),
      pl.Series("n", [1, 2]),
    ]);
    await writeHashes(redis.conn, frame);

    const read = (
      await readHashes(redis.conn, { pattern: "naive:*", schema: schemaWithoutKey(frame.schema) })
    ).sort("_key");
    expect(String(read.getColumn("at").dtype)).toBe(String(frame.getColumn("at").dtype));
    expect(read.getColumn("at").cast(pl.Int64).toArray()).toEqual([
      Date.UTC(2024, 0, 15, 10, 30, 0, 123),
      null,
    ]);
    expect(read.getColumn("n").toArray()).toEqual([1, 2]);
  });
});

/** A frame's schema minus its key column: the schema a user passes to read the frame back. */
function schemaWithoutKey(schema: Record<string, pl.DataType>): Record<string, pl.DataType> {
  return Object.fromEntries(Object.entries(schema).filter(([name]) => name !== "_key"));
}
