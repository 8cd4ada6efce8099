import pl from "nodejs-polars";
import { describe, expect, it } from "vitest";
import { inferJsonSchema, readJson } from "../src/index.js";
import { dtypeName } from "./fixtures/frame-rows.js";
import { RecordingConnection } from "./fixtures/recording-connection.js";
import { redisJsonResponder, USERS } from "./fixtures/redisjson-replies.js";

const KEYS = Object.keys(USERS);

function fakeRedisJson() {
  return new RecordingConnection({
    respond: redisJsonResponder(),
    keyspace: new Map([...KEYS.map((key) => [key, "ReJSON-RL"] as [string, string]), ["user:h", "hash"]]),
  });
}

describe("inferJsonSchema over documented RedisJSON replies", () => {
  it("types fields by their JSON kinds, nested ones included, with pipelined JSON.GET key $", async () => {
    const conn = fakeRedisJson();
    const inferred = await inferJsonSchema(conn, { pattern: "user:*" });
    expect(conn.scans).toEqual([expect.objectContaining({ pattern: "user:*", type: "ReJSON-RL" })]);
    expect(conn.commands).toEqual(KEYS.map((key) => ["JSON.GET", key, "$"]));
    expect(conn.batchSizes).toEqual([3]);
    expect(inferred.sampleCount).toBe(3);
    const types = Object.fromEntries(
      Object.entries(inferred.schema).map(([name, dtype]) => [name, dtypeName(dtype)]),
    );
    expect(types).toEqual({
      active: "DataType(Bool)",
      address: dtypeName(pl.Struct({ city: pl.Utf8, zip: pl.Utf8 })),
      age: "DataType(String)", // 36 and "41": mixed kinds
      id: "DataType(Int64)", // 9007199254740993 is still an integer
      joined: "DataType(Date)",
      name: "DataType(String)",
      score: "DataType(Float64)", // 9.5 and 7
      seen: "DataType(Datetime(ms,UTC))",
      tags: dtypeName(pl.List(pl.Utf8)),
    });
    expect(inferred.fields.age).toMatchObject({ present: 2, nulls: 1 });
    expect(inferred.fields.age!.reason).toMatch(/mixed JSON kinds \(1 number, 1 string\)/);
    expect(inferred.fields.age!.confidence).toBeLessThan(0.5);
    // user:3 has no score at all and a null address: both count as nulls.
    expect(inferred.fields.score).toMatchObject({
      present: 2,
      nulls: 1,
      candidates: expect.objectContaining({ int64: 1, float64: 2 }),
    });
    expect(inferred.fields.address).toMatchObject({ present: 2, nulls: 1 });
    expect(inferred.fields.name).toMatchObject({ present: 3, nulls: 0 });
  });

  it("its schema reads the same documents back without a mismatch", async () => {
    const conn = fakeRedisJson();
    const { schema } = await inferJsonSchema(conn, { pattern: "user:*" });
    const frame = await readJson(conn, { keys: KEYS, schema, onError: "raise" });
    expect(frame.height).toBe(3);
    expect(frame.getColumn("age").toArray()).toEqual(["36", "41", null]);
  });

  it("reads the reference page's example document", async () => {
    const conn = new RecordingConnection({ respond: redisJsonResponder() });
    const inferred = await inferJsonSchema(conn, { keys: ["doc"] });
    expect(
      Object.fromEntries(Object.entries(inferred.schema).map(([name, dtype]) => [name, dtypeName(dtype)])),
    ).toEqual({
      a: "DataType(Int64)",
      b: "DataType(Int64)",
      nested: dtypeName(pl.Struct({ a: pl.Int64, b: pl.Utf8 })),
    });
    expect(inferred.fields.nested!.reason).toMatch(/objects/);
  });
});
