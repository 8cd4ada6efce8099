import { connect, type RedisConnection, readHashes } from "@polars-redis/core";
import { type RedisServer, startRedis } from "@polars-redis/testkit";
import pl from "nodejs-polars";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeHashes } from "../src/index.js";

let server: RedisServer;
let conn: RedisConnection;

beforeAll(async () => {
  server = await startRedis();
  conn = await connect(server.url);
});
afterAll(async () => {
  await conn?.close();
  await server?.stop();
});

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
    const schema: [string, pl.DataType][] = frame.columns
      .filter((name) => name !== "_key")
      // A naive Datetime series reports time zone "" (core's resolveDtype refuses that), so name it plainly.
      .map((name) => [name, name === "at" ? pl.Datetime("ms") : frame.getColumn(name).dtype]);
    const result = await writeHashes(conn, frame);
    expect(result.written).toBe(3);

    const read = (await readHashes(conn, { pattern: "rt:*", schema })).sort("_key");
    expect(read.columns).toEqual(frame.columns);
    for (const name of frame.columns) {
      expect(String(read.getColumn(name).dtype), name).toBe(String(frame.getColumn(name).dtype));
      expect(read.getColumn(name).cast(pl.Utf8).toArray(), name).toEqual(
        frame.getColumn(name).cast(pl.Utf8).toArray(),
      );
    }
  });
});
