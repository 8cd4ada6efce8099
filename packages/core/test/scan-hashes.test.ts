import { useRedisConnection } from "@polars-redis/testkit/vitest";
import pl from "nodejs-polars";
import { describe, expect, it } from "vitest";
import {
  type Command,
  connect,
  readHashes,
  type ScanProgress,
  type ScanReport,
  scanHashes,
} from "../src/index.js";
import { spyConnection } from "./fixtures/command-spy.js";
import { onPath, type ReadPath } from "./fixtures/read-paths.js";

const redis = useRedisConnection({ connect });

/** n users under `prefix`, user i: name "user<i>", age i % 90, score i * 1.5, active on odd i. */
async function loadUsers(prefix: string, n: number): Promise<void> {
  const commands: Command[] = [];
  for (let i = 0; i < n; i++) {
    commands.push([
      "HSET",
      `${prefix}${i}`,
      "name",
      `user${i}`,
      "age",
      String(i % 90),
      "score",
      String(i * 1.5),
      "active",
      i % 2 ? "true" : "false",
    ]);
  }
  await redis.send(commands);
}

const userSchema = { name: pl.Utf8, age: pl.Int64, score: pl.Float64, active: pl.Bool };

function sortedByKey(frame: pl.DataFrame): pl.DataFrame {
  return frame.sort("_key");
}

describe.each(["batch", "raw"] as const)("%s path", (path: ReadPath) => {
  const target = () => onPath(redis.conn, path);

  describe("readHashes", () => {
    it("reads every hash into typed columns, key first", async () => {
      await loadUsers("rh:basic:", 25);
      const frame = await readHashes(target(), { pattern: "rh:basic:*", schema: userSchema });
      expect(frame.columns).toEqual(["_key", "name", "age", "score", "active"]);
      expect(frame.dtypes.map(String)).toEqual(
        ["String", "String", "Int64", "Float64", "Bool"].map((d) => `DataType(${d})`),
      );
      expect(frame.height).toBe(25);
      const row7 = frame.filter(pl.col("_key").eq(pl.lit("rh:basic:7"))).toRecords()[0];
      expect(row7).toEqual({ _key: "rh:basic:7", name: "user7", age: 7, score: 10.5, active: true });
    });

    it("returns an empty frame with the full schema when nothing matches", async () => {
      const frame = await readHashes(target(), {
        pattern: "rh:nothing:*",
        schema: userSchema,
        includeTtl: true,
        includeRowIndex: true,
      });
      expect(frame.height).toBe(0);
      expect(frame.columns).toEqual(["_index", "_key", "_ttl", "name", "age", "score", "active"]);
      expect(String(frame.getColumn("age").dtype)).toBe("DataType(Int64)");
      expect(String(frame.getColumn("_ttl").dtype)).toBe("DataType(Int64)");
    });

    it("gives null for fields a hash lacks and ignores fields outside the schema", async () => {
      await redis.send([
        ["HSET", "rh:sparse:1", "name", "a", "extra", "ignored"],
        ["HSET", "rh:sparse:2", "age", "5"],
      ]);
      const frame = sortedByKey(
        await readHashes(target(), { pattern: "rh:sparse:*", schema: { name: "utf8", age: "int64" } }),
      );
      expect(frame.toRecords()).toEqual([
        { _key: "rh:sparse:1", name: "a", age: null },
        { _key: "rh:sparse:2", name: null, age: 5 },
      ]);
    });

    it("skips keys of other types under the same pattern (SCAN ... TYPE)", async () => {
      await redis.send([
        ["HSET", "rh:mixed:h1", "name", "x"],
        ["SET", "rh:mixed:s1", "a string"],
        ["RPUSH", "rh:mixed:l1", "a", "b"],
        ["SADD", "rh:mixed:set1", "m"],
        ["ZADD", "rh:mixed:z1", "1", "m"],
        ["XADD", "rh:mixed:x1", "*", "f", "v"],
      ]);
      const scan = scanHashes(target(), { pattern: "rh:mixed:*", schema: { name: pl.Utf8 } });
      const frames: pl.DataFrame[] = [];
      for await (const frame of scan) frames.push(frame);
      expect(frames.flatMap((f) => f.getColumn("_key").toArray())).toEqual(["rh:mixed:h1"]);
      expect(scan.report.keysWrongType).toBe(0);
    });

    it("reads an explicit key list in order, skipping missing keys and counting wrong types", async () => {
      await loadUsers("rh:list:", 5);
      await redis.send([["SET", "rh:list:str", "x"]]);
      let report: ScanReport | undefined;
      const frame = await readHashes(target(), {
        keys: ["rh:list:3", "rh:list:missing", "rh:list:1", "rh:list:str", "rh:list:4"],
        schema: { age: pl.Int64 },
        onReport: (r) => {
          report = r;
        },
      });
      expect(frame.getColumn("_key").toArray()).toEqual(["rh:list:3", "rh:list:1", "rh:list:4"]);
      expect(frame.getColumn("age").toArray()).toEqual([3, 1, 4]);
      expect(report?.keysMissing).toBe(1);
      expect(report?.keysWrongType).toBe(1);
      expect(report?.complete).toBe(true);
    });
  });

  describe("projection", () => {
    it("reads only the listed columns with HMGET", async () => {
      await loadUsers("rh:proj:", 10);
      const spy = spyConnection(redis.conn);
      const frame = sortedByKey(
        await readHashes(spy, { pattern: "rh:proj:*", schema: userSchema, columns: ["age", "name"] }),
      );
      expect(spy.batches.flat().every((command) => command[0] === "HMGET")).toBe(true);
      expect(spy.batches[0]![0]!.slice(2)).toEqual(["age", "name"]);
      expect(frame.columns).toEqual(["_key", "age", "name"]);
      expect(frame.getColumn("name").toArray()[3]).toBe("user3");
    });

    it("reads columns as Utf8 when no schema is given", async () => {
      await loadUsers("rh:proj2:", 3);
      const frame = sortedByKey(await readHashes(target(), { pattern: "rh:proj2:*", columns: ["age"] }));
      expect(frame.getColumn("age").toArray()).toEqual(["0", "1", "2"]);
    });

    it("keeps a row of nulls for a hash that has none of the projected fields, and skips a deleted one", async () => {
      await redis.send([
        ["HSET", "rh:proj3:a", "other", "1"],
        ["HSET", "rh:proj3:b", "age", "7"],
      ]);
      let report: ScanReport | undefined;
      const frame = await readHashes(target(), {
        keys: ["rh:proj3:a", "rh:proj3:b", "rh:proj3:gone"],
        columns: ["age"],
        schema: { age: pl.Int64, other: pl.Int64 },
        onReport: (r) => {
          report = r;
        },
      });
      expect(frame.toRecords()).toEqual([
        { _key: "rh:proj3:a", age: null },
        { _key: "rh:proj3:b", age: 7 },
      ]);
      expect(report?.keysMissing).toBe(1);
    });
  });

  describe("filter, limit, row index", () => {
    it("applies limit after the filter and stops reading once reached", async () => {
      await loadUsers("rh:limit:", 500);
      // Key order is fixed with `keys`: age 10 is at users 10, 100, 190, 280, 370 and 460.
      const keys = Array.from({ length: 500 }, (_, i) => `rh:limit:${i}`);
      const spy = spyConnection(redis.conn);
      const scan = scanHashes(spy, {
        keys,
        schema: userSchema,
        filter: pl.col("age").eq(10),
        limit: 4,
        batchSize: 50,
      });
      const frames: pl.DataFrame[] = [];
      for await (const frame of scan) frames.push(frame);
      const all = pl.concat(frames, { how: "vertical" });
      expect(all.getColumn("_key").toArray()).toEqual([
        "rh:limit:10",
        "rh:limit:100",
        "rh:limit:190",
        "rh:limit:280",
      ]);
      expect(scan.report.limitReached).toBe(true);
      // The fourth match is in the sixth batch (250-299): later batches are never read.
      expect(spy.batches.length).toBe(6);
      expect(scan.report.keysScanned).toBeLessThanOrEqual(350);
    });

    it("applies limit after the filter over SCAN too", async () => {
      const frame = await readHashes(target(), {
        pattern: "rh:limit:*",
        schema: userSchema,
        filter: pl.col("age").eq(10),
        limit: 4,
        batchSize: 50,
      });
      expect(frame.height).toBe(4);
      expect(frame.getColumn("age").toArray()).toEqual([10, 10, 10, 10]);
    });

    it("numbers rows contiguously across frames after the filter", async () => {
      await loadUsers("rh:index:", 300);
      const frame = await readHashes(target(), {
        pattern: "rh:index:*",
        schema: userSchema,
        filter: pl.col("active"),
        includeRowIndex: true,
        rowIndexColumn: "n",
        batchSize: 40,
      });
      expect(frame.columns[0]).toBe("n");
      expect(frame.height).toBe(150);
      expect(frame.getColumn("n").toArray()).toEqual(Array.from({ length: 150 }, (_, i) => i));
    });

    it("limit 0 returns an empty frame without reading", async () => {
      const frame = await readHashes(target(), { pattern: "rh:index:*", schema: userSchema, limit: 0 });
      expect(frame.height).toBe(0);
      expect(frame.columns).toEqual(["_key", "name", "age", "score", "active"]);
    });
  });

  describe("metadata columns", () => {
    it("adds TTL in milliseconds (null without expiry) and renames the key column", async () => {
      await redis.send([
        ["HSET", "rh:ttl:a", "name", "a"],
        ["HSET", "rh:ttl:b", "name", "b"],
        ["PEXPIRE", "rh:ttl:b", "100000"],
      ]);
      const frame = (
        await readHashes(target(), {
          pattern: "rh:ttl:*",
          schema: { name: pl.Utf8 },
          includeTtl: true,
          keyColumn: "id",
          ttlColumn: "ttl_ms",
        })
      ).sort("id");
      expect(frame.columns).toEqual(["id", "ttl_ms", "name"]);
      const [a, b] = frame.getColumn("ttl_ms").toArray() as (number | null)[];
      expect(a).toBeNull();
      expect(b).toBeGreaterThan(90_000);
      expect(b).toBeLessThanOrEqual(100_000);
    });

    it("leaves the key out with includeKey false", async () => {
      await loadUsers("rh:nokey:", 2);
      const frame = await readHashes(target(), {
        pattern: "rh:nokey:*",
        schema: { name: pl.Utf8 },
        includeKey: false,
      });
      expect(frame.columns).toEqual(["name"]);
    });
  });

  describe("batches and parallel", () => {
    it("yields frames of at most batchSize rows and the same rows whatever `parallel` is", async () => {
      await loadUsers("rh:par:", 1000);
      const expected = sortedByKey(await readHashes(target(), { pattern: "rh:par:*", schema: userSchema }));
      for (const parallel of [1, 3, 8]) {
        const frames: pl.DataFrame[] = [];
        for await (const frame of scanHashes(target(), {
          pattern: "rh:par:*",
          schema: userSchema,
          batchSize: 64,
          parallel,
          countHint: 50,
        })) {
          expect(frame.height).toBeLessThanOrEqual(64);
          frames.push(frame);
        }
        const all = sortedByKey(pl.concat(frames, { how: "vertical" }));
        expect(all.frameEqual(expected)).toBe(true);
      }
    });

    it("keeps the order of an explicit key list with parallel batches", async () => {
      await loadUsers("rh:order:", 200);
      const keys = Array.from({ length: 200 }, (_, i) => `rh:order:${199 - i}`);
      const frame = await readHashes(target(), {
        keys,
        schema: { age: pl.Int64 },
        batchSize: 7,
        parallel: 4,
      });
      expect(frame.getColumn("_key").toArray()).toEqual(keys);
    });

    it("reports progress after every frame", async () => {
      await loadUsers("rh:progress:", 100);
      const seen: ScanProgress[] = [];
      for await (const _ of scanHashes(target(), {
        pattern: "rh:progress:*",
        schema: userSchema,
        batchSize: 30,
        onProgress: (p) => seen.push(p),
      })) {
        // frames are counted through onProgress
      }
      expect(seen.length).toBeGreaterThanOrEqual(4);
      expect(seen.at(-1)?.rows).toBe(100);
      expect(seen.at(-1)?.keysScanned).toBe(100);
      expect(seen.at(-1)?.bytes).toBeGreaterThan(100 * 20);
      for (let i = 1; i < seen.length; i++) expect(seen[i]!.rows).toBeGreaterThan(seen[i - 1]!.rows);
    });

    it("stops at the limit with parallel batches and keeps key order", async () => {
      await loadUsers("rh:plimit:", 200);
      const keys = Array.from({ length: 200 }, (_, i) => `rh:plimit:${i}`);
      const spy = spyConnection(redis.conn);
      const frame = await readHashes(spy, {
        keys,
        schema: { age: pl.Int64 },
        batchSize: 10,
        parallel: 4,
        limit: 35,
      });
      expect(frame.getColumn("_key").toArray()).toEqual(keys.slice(0, 35));
      // At most the batches in flight when the limit was met were read, not all twenty.
      expect(spy.batches.length).toBeLessThanOrEqual(4 + 4);
    });

    it("passes SCAN the key type, the pattern and countHint", async () => {
      const spy = spyConnection(redis.conn);
      await readHashes(spy, { pattern: "rh:plimit:*", schema: { age: pl.Int64 }, countHint: 77 });
      expect(spy.scans).toHaveLength(1);
      expect(spy.scans[0]).toMatchObject({ pattern: "rh:plimit:*", type: "hash", count: 77 });
    });
  });

  describe("Unicode", () => {
    it("round-trips Unicode field names, values and keys", async () => {
      await redis.send([
        ["HSET", "rh:uni:ключ", "имя", "Åsa 🎉", "年齢", "41", "plain", "naïve"],
        ["HSET", "rh:uni:鍵", "имя", "李\u0000四", "年齢", "7"],
      ]);
      const frame = (
        await readHashes(target(), {
          pattern: "rh:uni:*",
          schema: { имя: pl.Utf8, 年齢: pl.Int64, plain: pl.Utf8 },
        })
      ).sort("_key");
      expect(frame.toRecords()).toEqual([
        { _key: "rh:uni:ключ", имя: "Åsa 🎉", 年齢: 41, plain: "naïve" },
        { _key: "rh:uni:鍵", имя: "李\u0000四", 年齢: 7, plain: null },
      ]);
      const projected = await readHashes(target(), { keys: ["rh:uni:鍵"], columns: ["имя"] });
      expect(projected.getColumn("имя").toArray()).toEqual(["李\u0000四"]);
    });
  });
});
