import { useRedisConnection } from "@polars-redis/testkit/vitest";
import pl from "nodejs-polars";
import { describe, expect, it } from "vitest";
import { connect, InvalidArgumentError, readHashes } from "../src/index.js";
import { dtypeLabel, resolveDtype, resolveSchema } from "../src/internal.js";
import { onPath, type ReadPath } from "./fixtures/read-paths.js";

describe("resolveDtype", () => {
  it("accepts nodejs-polars DataTypes", () => {
    expect(resolveDtype(pl.Utf8, "x")).toEqual({ kind: "utf8" });
    expect(resolveDtype(pl.String, "x")).toEqual({ kind: "utf8" });
    expect(resolveDtype(pl.Int32, "x")).toEqual({ kind: "int32" });
    expect(resolveDtype(pl.Float32, "x")).toEqual({ kind: "float32" });
    expect(resolveDtype(pl.Bool, "x")).toEqual({ kind: "boolean" });
    expect(resolveDtype(pl.Categorical, "x")).toEqual({ kind: "categorical" });
    expect(resolveDtype(pl.Date, "x")).toEqual({ kind: "date" });
    expect(resolveDtype(pl.Datetime("ms", "Europe/Paris"), "x")).toEqual({
      kind: "datetime",
      unit: "ms",
      timeZone: "Europe/Paris",
    });
    expect(resolveDtype(pl.Datetime, "x")).toEqual({ kind: "datetime", unit: "us", timeZone: null });
    expect(resolveDtype(pl.List(pl.Int64), "x")).toEqual({ kind: "list", inner: { kind: "int64" } });
  });

  it("accepts names, as polars prints them too", () => {
    expect(resolveDtype("Int64", "x")).toEqual({ kind: "int64" });
    expect(resolveDtype("i64", "x")).toEqual({ kind: "int64" });
    expect(resolveDtype("str", "x")).toEqual({ kind: "utf8" });
    expect(resolveDtype("f32", "x")).toEqual({ kind: "float32" });
    expect(resolveDtype("datetime", "x")).toEqual({ kind: "datetime", unit: "us", timeZone: null });
    expect(resolveDtype("datetime[ms, UTC]", "x")).toEqual({ kind: "datetime", unit: "ms", timeZone: "UTC" });
    expect(resolveDtype("datetime[μs, America/New_York]", "x")).toEqual({
      kind: "datetime",
      unit: "us",
      timeZone: "America/New_York",
    });
    expect(resolveDtype("list[int64]", "x")).toEqual({ kind: "list", inner: { kind: "int64" } });
  });

  it("takes the dtypes of an existing frame's schema (naive Datetime included)", () => {
    const frame = pl.DataFrame([pl.Series("d", [new Date(0)]), pl.Series("n", [1])]);
    const fields = resolveSchema(frame.schema);
    expect(fields.map((f) => dtypeLabel(f.dtype))).toEqual(["Datetime(ms)", "Float64"]);
  });

  it("names the field of an unknown dtype", () => {
    const error = (() => {
      try {
        resolveSchema({ good: pl.Int64, bad: "decimal" });
      } catch (e) {
        return e;
      }
    })();
    expect(InvalidArgumentError.isInstance(error)).toBe(true);
    expect((error as InvalidArgumentError).argument).toBe("schema.bad");
    expect(() => resolveDtype(pl.UInt64, "x")).toThrow(/UInt64/);
    expect(() => resolveDtype(undefined, "x")).toThrow(InvalidArgumentError);
  });
});

describe("every dtype through a real hash scan", () => {
  const redis = useRedisConnection({ connect });

  describe.each(["batch", "raw"] as const)("%s path", (path: ReadPath) => {
    const target = () => onPath(redis.conn, path);

    it("builds each column with its dtype and exact values", async () => {
      await redis.conn.call(
        "HSET",
        "dt:1",
        ...["i64", "9007199254740993", "i32", "-2147483648", "f64", "1e-5", "f32", "1.5", "bool", "True"],
        ...[
          "date",
          "2024-02-29",
          "ts_ms",
          "2024-01-15T10:30:00+02:00",
          "ts_us",
          "2024-01-15T10:30:00.123456Z",
        ],
        ...[
          "ts_ns",
          "2024-01-15T10:30:00.123456789Z",
          "ts_paris",
          "2024-07-01 12:00:00",
          "cat",
          "red",
          "s",
          "ü",
        ],
      );
      await redis.conn.call("HSET", "dt:2", "cat", "blue", "i64", "-1");
      const frame = (
        await readHashes(target(), {
          pattern: "dt:*",
          schema: {
            i64: pl.Int64,
            i32: pl.Int32,
            f64: pl.Float64,
            f32: pl.Float32,
            bool: pl.Bool,
            date: pl.Date,
            ts_ms: pl.Datetime("ms", "UTC"),
            ts_us: "datetime[us]",
            ts_ns: pl.Datetime("ns"),
            ts_paris: pl.Datetime("ms", "Europe/Paris"),
            cat: pl.Categorical,
            s: pl.Utf8,
          },
        })
      ).sort("_key");
      expect(frame.dtypes.map(String)).toEqual(
        [
          pl.String,
          pl.Int64,
          pl.Int32,
          pl.Float64,
          pl.Float32,
          pl.Bool,
          pl.Date,
          pl.Datetime("ms", "UTC"),
          pl.Datetime("us"),
          pl.Datetime("ns"),
          pl.Datetime("ms", "Europe/Paris"),
          pl.Categorical,
          pl.String,
        ].map(String),
      );
      // Int64 beyond 2^53 keeps every digit.
      expect(frame.getColumn("i64").cast(pl.Utf8).toArray()).toEqual(["9007199254740993", "-1"]);
      expect(frame.getColumn("i32").toArray()).toEqual([-2147483648, null]);
      expect(frame.getColumn("f32").toArray()).toEqual([1.5, null]);
      expect(frame.getColumn("bool").toArray()).toEqual([true, null]);
      expect(frame.getColumn("date").cast(pl.Utf8).toArray()).toEqual(["2024-02-29", null]);
      expect(frame.getColumn("ts_ms").cast(pl.Int64).toArray()).toEqual([
        Date.parse("2024-01-15T08:30:00Z"),
        null,
      ]);
      expect(frame.getColumn("ts_us").cast(pl.Int64).cast(pl.Utf8).toArray()).toEqual([
        String(Date.parse("2024-01-15T10:30:00.123Z") * 1000 + 456),
        null,
      ]);
      expect(frame.getColumn("ts_ns").cast(pl.Int64).cast(pl.Utf8).toArray()).toEqual([
        (BigInt(Date.parse("2024-01-15T10:30:00.123Z")) * 1_000_000n + 456_789n).toString(),
        null,
      ]);
      // A wall time without offset is read in the column's zone: noon in Paris in July is 10:00 UTC.
      expect(frame.getColumn("ts_paris").cast(pl.Int64).toArray()).toEqual([
        Date.parse("2024-07-01T10:00:00Z"),
        null,
      ]);
      expect(frame.getColumn("cat").cast(pl.Utf8).toArray()).toEqual(["red", "blue"]);
      expect(frame.getColumn("s").toArray()).toEqual(["ü", null]);
    });

    it("concatenates Categorical columns of many batches", async () => {
      const colours = ["red", "green", "blue", "cyan"];
      await redis.conn.batch(
        Array.from({ length: 40 }, (_, i) => ["HSET", `cat:${i}`, "c", colours[(i * 7) % 4]!] as const),
      );
      const frame = await readHashes(target(), {
        pattern: "cat:*",
        schema: { c: pl.Categorical },
        batchSize: 5,
      });
      expect(frame.height).toBe(40);
      expect(String(frame.getColumn("c").dtype)).toBe(String(pl.Categorical));
      expect(new Set(frame.getColumn("c").cast(pl.Utf8).toArray())).toEqual(new Set(colours));
    });

    it("joins many batches into one frame for readHashes without losing nulls or digits", async () => {
      const commands: [string, ...string[]][] = [];
      for (let i = 0; i < 30; i++) {
        const fields = ["s", `v${i}`];
        if (i % 3 !== 0) fields.push("n", i === 29 ? "9223372036854775807" : String(i));
        if (i % 4 !== 0)
          fields.push("f", String(i / 2), "d", `2024-01-${String((i % 28) + 1).padStart(2, "0")}`);
        commands.push(["HSET", `join:${String(i).padStart(2, "0")}`, ...fields]);
      }
      await redis.conn.batch(commands);
      const frame = (
        await readHashes(target(), {
          pattern: "join:*",
          schema: { s: pl.Utf8, n: pl.Int64, f: pl.Float64, d: pl.Date },
          batchSize: 4,
        })
      ).sort("_key");
      expect(frame.height).toBe(30);
      const n = frame.getColumn("n").cast(pl.Utf8).toArray();
      expect(n[0]).toBeNull();
      expect(n[1]).toBe("1");
      expect(n[29]).toBe("9223372036854775807");
      expect(frame.getColumn("n").nullCount()).toBe(10);
      expect(frame.getColumn("f").nullCount()).toBe(8);
      expect(frame.getColumn("f").toArray()[5]).toBe(2.5);
      expect(frame.getColumn("d").cast(pl.Utf8).toArray()[5]).toBe("2024-01-06");
      expect(frame.getColumn("s").toArray()[29]).toBe("v29");
    });
  });
});
