import { RecordingConnection } from "@polars-redis/testkit";
import pl from "nodejs-polars";
import { describe, expect, it } from "vitest";
import {
  InvalidArgumentError,
  readJson,
  type ScanReport,
  SchemaMismatchError,
  scanJson,
} from "../src/index.js";
import { dtypeName, rowsOf, schemaOf } from "./fixtures/frame-rows.js";
import { REFERENCE_EXAMPLE, redisJsonResponder, USERS } from "./fixtures/redisjson-replies.js";

const USER_KEYS = ["user:1", "user:2", "user:3"];

function schemaNames(schema: Record<string, pl.DataType>): Record<string, string> {
  return Object.fromEntries(Object.entries(schema).map(([name, dtype]) => [name, dtypeName(dtype)]));
}

function fakeRedisJson(options: Parameters<typeof redisJsonResponder>[0] = {}) {
  return new RecordingConnection({
    respond: redisJsonResponder(options),
    keyspace: new Map([
      ...USER_KEYS.map((key) => [key, "ReJSON-RL"] as [string, string]),
      ["user:hash", "hash"],
    ]),
  });
}

const FULL_SCHEMA = {
  name: pl.Utf8,
  age: pl.Int64,
  score: pl.Float64,
  active: pl.Bool,
  joined: pl.Date,
  seen: pl.Datetime("ms", "UTC"),
  tags: pl.List(pl.Utf8),
  address: pl.Struct({ city: pl.Utf8, zip: pl.Utf8 }),
  id: pl.Int64,
};

describe("scanJson over documented RedisJSON replies", () => {
  it("reads whole documents with JSON.GET key $, SCANning only JSON keys", async () => {
    const conn = fakeRedisJson();
    const frame = await readJson(conn, { pattern: "user:*", schema: FULL_SCHEMA });
    expect(conn.scans).toEqual([expect.objectContaining({ pattern: "user:*", type: "ReJSON-RL" })]);
    expect(conn.commands).toEqual(USER_KEYS.map((key) => ["JSON.GET", key, "$"]));
    expect(frame.columns).toEqual(["_key", ...Object.keys(FULL_SCHEMA)]);
    expect(schemaOf(frame)).toEqual({ _key: "DataType(String)", ...schemaNames(FULL_SCHEMA) });

    const rows = rowsOf(frame.sort("_key"));
    expect(rows[0]).toMatchObject({ _key: "user:1", name: "Ada", age: 36, score: 9.5, active: true });
    // Offsets are applied: 10:30:00.250+02:00 is 08:30:00.250 UTC.
    expect(rows[0]!.seen).toBe("2024-01-15T08:30:00.250+00:00");
    expect(rows[0]!.joined).toBe("2024-01-15");
    expect(rows[0]!.tags).toEqual(["admin", "ops"]);
    expect(rows[0]!.address).toEqual({ city: "London", zip: "N1 9GU" });
    // A JSON string holding an integer reads as Int64, like a hash value.
    expect(rows[1]).toMatchObject({
      name: "Bob",
      age: 41,
      score: 7,
      active: false,
      tags: [],
      address: { city: "Paris", zip: null },
    });
    // Missing and null fields are null, at every level.
    expect(rows[2]).toMatchObject({
      name: "Cy",
      age: null,
      score: null,
      tags: null,
      address: null,
      id: null,
    });
    // 2^53 + 1 survives exactly (JSON.parse alone would round it to ...992).
    expect(frame.sort("_key").getColumn("id").cast(pl.Utf8).toArray()).toEqual([
      "9007199254740993",
      "12",
      null,
    ]);
  });

  it("a single-field projection returns values, not nulls (the original's bug)", async () => {
    const conn = fakeRedisJson();
    const frame = await readJson(conn, { keys: USER_KEYS, schema: FULL_SCHEMA, columns: ["name"] });
    expect(conn.commands).toEqual(USER_KEYS.map((key) => ["JSON.GET", key, "$.name"]));
    expect(frame.columns).toEqual(["_key", "name"]);
    expect(frame.getColumn("name").toArray()).toEqual(["Ada", "Bob", "Cy"]);
  });

  it("reads nested paths into aliased columns, and all matches of a wildcard into a List", async () => {
    const conn = fakeRedisJson();
    const frame = await readJson(conn, {
      keys: USER_KEYS,
      schema: { name: pl.Utf8, city: pl.Utf8, tags: pl.List(pl.Utf8) },
      paths: { city: "$.address.city", tags: "$.tags[*]" },
    });
    expect(conn.commands).toEqual(
      USER_KEYS.map((key) => ["JSON.GET", key, "$.name", "$.address.city", "$.tags[*]"]),
    );
    expect(frame.toRecords()).toEqual([
      { _key: "user:1", name: "Ada", city: "London", tags: ["admin", "ops"] },
      { _key: "user:2", name: "Bob", city: "Paris", tags: [] },
      { _key: "user:3", name: "Cy", city: null, tags: [] },
    ]);
  });

  it("a single nested path projects too (one path: the reply is the array of matches)", async () => {
    const conn = fakeRedisJson();
    const frame = await readJson(conn, {
      keys: ["user:1", "user:3"],
      schema: { city: pl.Utf8 },
      paths: { city: "$.address.city" },
    });
    expect(conn.commands).toEqual([
      ["JSON.GET", "user:1", "$.address.city"],
      ["JSON.GET", "user:3", "$.address.city"],
    ]);
    expect(frame.getColumn("city").toArray()).toEqual(["London", null]);
  });

  it("reads the reference page's own example: $ and the recursive $..b", async () => {
    const conn = new RecordingConnection({ respond: redisJsonResponder() });
    const whole = await readJson(conn, {
      keys: [REFERENCE_EXAMPLE.key],
      schema: { a: pl.Int64, b: pl.Int64, nested: pl.Struct({ a: pl.Int64, b: pl.Int64 }) },
    });
    expect(rowsOf(whole)).toEqual([{ _key: "doc", a: 2, b: 3, nested: { a: 4, b: null } }]);

    const bs = await readJson(conn, {
      keys: ["doc"],
      schema: { bs: pl.List(pl.Int64) },
      paths: { bs: "$..b" },
    });
    expect(conn.commands.at(-1)).toEqual([...REFERENCE_EXAMPLE.recursiveB.command]);
    expect(bs.getColumn("bs").toArray()).toEqual([[3, null]]);
  });

  it("an indefinite path with several matches does not fit a flat column: raise, or null and count", async () => {
    const conn = new RecordingConnection({ respond: redisJsonResponder() });
    const options = { keys: ["doc"], schema: { b: pl.Int64 }, paths: { b: "$..b" } };
    const error = await readJson(conn, options).catch((e: unknown) => e);
    expect(SchemaMismatchError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ key: "doc", field: "b", rawValue: "[3,null]" });
    expect((error as SchemaMismatchError).expected).toMatch(/Int64 \(the path matched 2 values/);

    let report: ScanReport | undefined;
    const frame = await readJson(conn, { ...options, onError: "null", onReport: (r) => (report = r) });
    expect(frame.getColumn("b").toArray()).toEqual([null]);
    expect(report?.coercedToNull).toEqual({ b: 1 });
  });

  it("names the exact place of a nested mismatch, or nulls the value and counts it", async () => {
    const conn = fakeRedisJson();
    const schema = { name: pl.Utf8, tags: pl.List(pl.Int64) };
    const error = await readJson(conn, { keys: ["user:1"], schema }).catch((e: unknown) => e);
    expect(SchemaMismatchError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ key: "user:1", field: "tags[0]", rawValue: "admin", expected: "Int64" });

    let report: ScanReport | undefined;
    const frame = await readJson(conn, {
      keys: USER_KEYS,
      schema,
      onError: "null",
      onReport: (r) => (report = r),
    });
    expect(frame.getColumn("tags").toArray()).toEqual([null, [], null]);
    expect(report?.coercedToNull).toEqual({ tags: 1 });
  });

  it("skips keys that are gone or hold another type, and counts them", async () => {
    const conn = fakeRedisJson({ gone: ["user:2"], wrongType: ["user:3"] });
    const scan = scanJson(conn, { keys: USER_KEYS, schema: { name: pl.Utf8 } });
    const frames: pl.DataFrame[] = [];
    for await (const frame of scan) frames.push(frame);
    expect(frames.flatMap((frame) => frame.getColumn("_key").toArray())).toEqual(["user:1"]);
    expect(scan.report).toMatchObject({ keysMissing: 1, keysWrongType: 1, complete: true });
  });

  it("applies filter before limit, and batches by batchSize", async () => {
    const conn = fakeRedisJson();
    const frame = await readJson(conn, {
      keys: USER_KEYS,
      schema: { name: pl.Utf8, age: pl.Int64 },
      filter: pl.col("age").isNotNull(),
      limit: 2,
      batchSize: 1,
    });
    expect(frame.getColumn("name").toArray()).toEqual(["Ada", "Bob"]);
    expect(conn.batchSizes).toEqual([1, 1]);
  });

  it("an empty result keeps every column and dtype, nested ones included", async () => {
    const conn = fakeRedisJson();
    const frame = await readJson(conn, { pattern: "nothing:*", schema: FULL_SCHEMA });
    expect(frame.height).toBe(0);
    expect(schemaOf(frame)).toEqual(schemaOf(frame.clear()));
    expect(schemaOf(frame)).toEqual({ _key: "DataType(String)", ...schemaNames(FULL_SCHEMA) });
  });

  it("a field the document lacks is null even when Object.prototype has a member of that name", async () => {
    // REFERENCE_EXAMPLE's document has a, b and nested only: constructor, toString and valueOf are missing, and
    // must not be read from the prototype chain (a function) when the document is read whole.
    const conn = fakeRedisJson();
    const frame = await readJson(conn, {
      keys: [REFERENCE_EXAMPLE.key],
      schema: {
        a: pl.Int64,
        constructor: pl.Utf8,
        toString: pl.Utf8,
        valueOf: pl.Int64,
        nested: pl.Struct({ a: pl.Int64, constructor: pl.Utf8 }),
      },
    });
    expect(conn.commands).toEqual([REFERENCE_EXAMPLE.whole.command]);
    expect(rowsOf(frame)).toEqual([
      {
        _key: "doc",
        a: 2,
        constructor: null,
        toString: null,
        valueOf: null,
        nested: { a: 4, constructor: null },
      },
    ]);
  });
});

describe("scanJson rejects bad options before sending anything", () => {
  it.each([
    [{ schema: { a: pl.Utf8 }, paths: { a: ".legacy.path" } }, "paths.a", /starting with "\$"/],
    [{ schema: { a: pl.Utf8 }, paths: { a: "$.x[0" } }, "paths.a", /unbalanced/],
    [{ schema: { a: pl.Utf8 }, paths: { b: "$.b" } }, "paths", /"b" is not a column/],
    [{ schema: { a: pl.Utf8 }, columns: ["z"] }, "columns", /"z" is not in the schema/],
    [{}, "schema", /inferJsonSchema/],
    [{ schema: { a: "list[int9]" } }, "schema.a[]", /unknown dtype/],
  ])("%j", async (options, argument, message) => {
    const conn = fakeRedisJson();
    const error = await readJson(conn, options as Parameters<typeof readJson>[1]).catch((e: unknown) => e);
    expect(InvalidArgumentError.isInstance(error), String(error)).toBe(true);
    expect((error as InvalidArgumentError).argument).toBe(argument);
    expect((error as Error).message).toMatch(message);
    expect(conn.commands).toEqual([]);
    expect(conn.scans).toEqual([]);
  });
});

it("fixtures stay consistent: every whole-document reply wraps its document", () => {
  for (const { document, replies } of Object.values(USERS)) {
    expect(JSON.parse(replies.$!)).toEqual([JSON.parse(document)]);
  }
});
