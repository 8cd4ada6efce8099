import { RecordingConnection } from "@polars-redis/testkit";
import { useRedisConnection } from "@polars-redis/testkit/vitest";
import pl from "nodejs-polars";
import { beforeAll, describe, expect, it } from "vitest";
import {
  type Command,
  connect,
  type InferredSchema,
  InvalidArgumentError,
  inferHashSchema,
  type RedisConnection,
  readHashes,
} from "../src/index.js";
import { dtypeName } from "./fixtures/frame-rows.js";

const redis = useRedisConnection({ connect });

/** 60 hashes whose fields exercise every rule; keys are loaded with one pipeline. */
function userHash(i: number): string[] {
  const fields = [
    ["id", String(1000 + i)],
    ["price", i % 2 === 0 ? `${i}.25` : String(i)],
    ["active", i % 3 === 0 ? "true" : i % 3 === 1 ? "False" : "yes"],
    ["flag", String(i % 2)],
    ["joined", `2024-01-${String((i % 28) + 1).padStart(2, "0")}`],
    ["seen", `2024-02-01T10:${String(i % 60).padStart(2, "0")}:00.${String(i).padStart(3, "0")}Z`],
    ["local", `2024-02-01 08:00:${String(i % 60).padStart(2, "0")}`],
    ["name", `user ${i}`],
    ["zip", `0${2100 + i}`],
    ["qty", i === 7 || i === 31 ? "N/A" : String(i)],
    ["big", `1234567890123456789${i % 10}0`],
  ];
  if (i >= 50) fields.push(["late", String(i)]); // appears only in the last keys SCAN may return
  return fields.flat();
}

beforeAll(async () => {
  const commands: Command[] = [];
  for (let i = 0; i < 60; i++) commands.push(["HSET", `user:${i}`, ...userHash(i)]);
  commands.push(["SET", "user:not-a-hash", "x"], ["RPUSH", "user:list", "a"]);
  await redis.conn.batch(commands);
});

function types(inferred: InferredSchema): Record<string, string> {
  return Object.fromEntries(Object.entries(inferred.schema).map(([name, dtype]) => [name, dtypeName(dtype)]));
}

describe("inferHashSchema", () => {
  it("picks the narrowest type every sampled value fits, and says how sure it is", async () => {
    const inferred = await inferHashSchema(redis.conn, { pattern: "user:*", sampleSize: 100 });
    expect(inferred.sampleCount).toBe(60); // the string and the list under the same pattern are not sampled
    expect(types(inferred)).toEqual({
      active: "DataType(Bool)",
      big: "DataType(String)", // 21 digits: beyond Int64, and Float64 would lose digits
      flag: "DataType(Int64)", // only 0/1: Int64, Boolean named in the reason
      id: "DataType(Int64)",
      joined: "DataType(Date)",
      late: "DataType(Int64)",
      local: "DataType(Datetime(ms,))", // wall times without a zone: no time zone
      name: "DataType(String)",
      price: "DataType(Float64)",
      qty: "DataType(String)", // 58 integers and 2 "N/A": never a majority vote
      seen: "DataType(Datetime(ms,UTC))",
      zip: "DataType(String)", // leading zeros are codes, not numbers
    });
    expect(Object.keys(inferred.schema)).toEqual(Object.keys(inferred.schema).sort());

    const { id, qty, flag, late } = inferred.fields;
    expect(id).toMatchObject({ samples: 60, present: 60, nulls: 0, nullRatio: 0, overwritten: false });
    expect(id!.confidence).toBeCloseTo(60 / (60 + 1.959964 ** 2), 6);
    expect(id!.candidates).toMatchObject({ int64: 60, float64: 60, utf8: 60, date: 0 });

    expect(qty!.candidates.int64).toBe(58);
    expect(qty!.confidence).toBeLessThan(0.05);
    expect(qty!.reason).toMatch(/58 of 60 values fit Int64, but 2 do not \(e\.g\. "N\/A"/);

    expect(flag!.candidates).toMatchObject({ int64: 60, boolean: 60 });
    expect(flag!.reason).toMatch(/0 or 1/);

    // Nulls are counted for every field whatever the order keys came in.
    expect(late).toMatchObject({ present: 10, nulls: 50 });
    expect(late!.nullRatio).toBeCloseTo(50 / 60, 6);
    expect(late!.confidence).toBeLessThan(0.9);
    expect(inferred.lowConfidenceFields().map((field) => field.field)).toEqual(["qty", "late"]);
    expect(inferred.allConfident()).toBe(false);
  });

  it("produces a schema that reads every sampled hash without a single mismatch", async () => {
    const inferred = await inferHashSchema(redis.conn, { pattern: "user:*" });
    const frame = await readHashes(redis.conn, {
      pattern: "user:*",
      schema: inferred.schema,
      onError: "raise",
    });
    expect(frame.height).toBe(60);
    const row = frame.filter(pl.col("_key").eq(pl.lit("user:3"))).toRecords()[0]!;
    expect(row).toMatchObject({ id: 1003, flag: 1, active: true, zip: "02103", qty: "3", price: 3 });
    expect((row.seen as unknown as Date).toISOString()).toBe("2024-02-01T10:03:00.003Z");
  });

  it("samples with pipelined HGETALL batches, never one round trip per key", async () => {
    const batchSizes: number[] = [];
    const spy: RedisConnection = Object.assign(Object.create(redis.conn) as RedisConnection, {
      batch: (commands: readonly Command[], options?: Parameters<RedisConnection["batch"]>[1]) => {
        batchSizes.push(commands.length);
        expect(commands.every((command) => command[0] === "HGETALL")).toBe(true);
        return redis.conn.batch(commands, options);
      },
    });
    const inferred = await inferHashSchema(spy, { pattern: "user:*", sampleSize: 45, batchSize: 20 });
    expect(inferred.sampleCount).toBe(45);
    expect(batchSizes).toEqual([20, 20, 5]);
  });

  it("applies overwrite: forced types replace inferred ones, unknown fields are added", async () => {
    const inferred = await inferHashSchema(redis.conn, {
      keys: ["user:1", "user:2"],
      overwrite: { flag: pl.Bool, zip: "utf8", extra: pl.Float64 },
    });
    expect(types(inferred)).toMatchObject({
      flag: "DataType(Bool)",
      zip: "DataType(String)",
      extra: "DataType(Float64)",
    });
    expect(inferred.fields.flag).toMatchObject({ overwritten: true, confidence: 1, present: 2 });
    expect(inferred.fields.extra).toMatchObject({ overwritten: true, present: 0, nulls: 2 });
    expect(inferred.sampleCount).toBe(2);
  });

  it("reports a field seen in no sample as Utf8 with confidence 0, and an empty pattern as no fields", async () => {
    await redis.conn.call("HSET", "sparse:1", "a", "1");
    await redis.conn.call("HSET", "sparse:2", "b", "x");
    const inferred = await inferHashSchema(redis.conn, { pattern: "sparse:*" });
    expect(inferred.fields.a).toMatchObject({ present: 1, nulls: 1 });
    const none = await inferHashSchema(redis.conn, { pattern: "nothing:*" });
    expect(none).toMatchObject({ sampleCount: 0, schema: {}, averageConfidence: 1 });
  });

  it("keeps fields named like Object.prototype members, __proto__ included, and reads them back", async () => {
    await redis.conn.call("HSET", "proto:1", "__proto__", "7", "constructor", "x", "toString", "2024-01-02");
    const inferred = await inferHashSchema(redis.conn, { pattern: "proto:*" });
    expect(Object.keys(inferred.schema)).toEqual(["__proto__", "constructor", "toString"]);
    expect(Object.keys(inferred.fields)).toEqual(["__proto__", "constructor", "toString"]);
    expect(types(inferred)).toEqual({
      ["__proto__"]: "DataType(Int64)", // computed: a literal __proto__ key would set the prototype
      constructor: "DataType(String)",
      toString: "DataType(Date)",
    });
    const frame = await readHashes(redis.conn, {
      pattern: "proto:*",
      schema: inferred.schema,
      onError: "raise",
    });
    expect(frame.columns).toEqual(["_key", "__proto__", "constructor", "toString"]);
  });
});

describe("sampling", () => {
  const keyspace = new Map(Array.from({ length: 100 }, (_, i) => [`k:${i}`, "hash"] as [string, string]));
  const respond = (command: readonly string[]) => ["n", command[1]!.slice(2)];

  it('"first" stops scanning once it has enough keys', async () => {
    const fake = new RecordingConnection({ keyspace, respond, scanPageSize: 10 });
    const inferred = await inferHashSchema(fake, { pattern: "k:*", sampleSize: 15 });
    expect(inferred.sampleCount).toBe(15);
    expect(fake.commands.map((command) => command[1])).toEqual(
      Array.from({ length: 15 }, (_, i) => `k:${i}`),
    );
    expect(fake.scans).toEqual([expect.objectContaining({ pattern: "k:*", type: "hash" })]);
  });

  it('"reservoir" draws a uniform sample from every matching key', async () => {
    const counts = new Map<string, number>();
    for (let run = 0; run < 200; run++) {
      const fake = new RecordingConnection({ keyspace, respond, scanPageSize: 10 });
      await inferHashSchema(fake, { pattern: "k:*", sampleSize: 10, sampling: "reservoir" });
      expect(fake.commands).toHaveLength(10);
      for (const [, key] of fake.commands) counts.set(key!, (counts.get(key!) ?? 0) + 1);
    }
    // 2,000 draws over 100 keys: each key expects 20; a sample of "the first keys" would give 0 to 90 keys.
    expect(counts.size).toBeGreaterThan(95);
    expect(counts.get("k:99") ?? 0).toBeGreaterThan(0);
  });
});

describe("inference rejects bad options before sending anything", () => {
  it.each([
    [{ sampleSize: 0 }, "sampleSize"],
    [{ sampleSize: 2.5 }, "sampleSize"],
    [{ overwrite: { a: "int9" } }, "overwrite.a"],
    [{ sampling: "random" }, "sampling"],
    [{ pattern: "" }, "pattern"],
    [{ keys: ["a"], pattern: "a*" }, "keys"],
    [{ batchSize: 0 }, "batchSize"],
  ])("%j", async (options, argument) => {
    const fake = new RecordingConnection();
    const error = await inferHashSchema(fake, options as Parameters<typeof inferHashSchema>[1]).catch(
      (e: unknown) => e,
    );
    expect(InvalidArgumentError.isInstance(error), String(error)).toBe(true);
    expect((error as InvalidArgumentError).argument).toBe(argument);
    expect(fake.commands).toEqual([]);
    expect(fake.scans).toEqual([]);
  });
});
