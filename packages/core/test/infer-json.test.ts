import { errorReply, RecordingConnection } from "@polars-redis/testkit";
import pl from "nodejs-polars";
import { describe, expect, it } from "vitest";
import { inferJsonSchema, readJson } from "../src/index.js";
import { dtypeName } from "./fixtures/frame-rows.js";
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

describe("inferJsonSchema at the edges of Int64", () => {
  /** A connection holding `documents` (key → JSON text) that answers `JSON.GET key $` as RedisJSON does. */
  function documentsConnection(documents: Record<string, string>) {
    return new RecordingConnection({
      respond: (command) =>
        command[0] === "JSON.GET" && command[2] === "$" && command[1]! in documents
          ? `[${documents[command[1]!]}]`
          : errorReply("JSON.GET", `ERR no fixture for: ${command.join(" ")}`),
      keyspace: new Map(Object.keys(documents).map((key) => [key, "ReJSON-RL"])),
    });
  }

  it("takes integers beyond the Int64 range as Float64, and reads its own sample back", async () => {
    const conn = documentsConnection({
      "n:1":
        '{"unsigned":18446744073709551615,"exponent":1e20,"low":-9223372036854775809,"edge":9223372036854775807,"min":-9223372036854775808}',
      "n:2": '{"unsigned":1,"exponent":2,"low":3,"edge":4,"min":5}',
    });
    const inferred = await inferJsonSchema(conn, { pattern: "n:*" });
    const types = Object.fromEntries(
      Object.entries(inferred.schema).map(([name, dtype]) => [name, dtypeName(dtype)]),
    );
    expect(types).toEqual({
      edge: "DataType(Int64)",
      exponent: "DataType(Float64)",
      low: "DataType(Float64)",
      min: "DataType(Int64)",
      unsigned: "DataType(Float64)",
    });
    const frame = await readJson(conn, { keys: ["n:1", "n:2"], schema: inferred.schema, onError: "raise" });
    expect(frame.getColumn("exponent").toArray()).toEqual([1e20, 2]);
    expect(frame.getColumn("unsigned").toArray()).toEqual([2 ** 64, 1]); // the nearest Float64
    expect(frame.getColumn("edge").cast(pl.Utf8).toArray()).toEqual(["9223372036854775807", "4"]);
    expect(frame.getColumn("min").cast(pl.Utf8).toArray()).toEqual(["-9223372036854775808", "5"]);
  });
});
