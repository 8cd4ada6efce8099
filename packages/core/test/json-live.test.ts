import pl from "nodejs-polars";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  connect,
  deleteKeysMatching,
  inferJsonSchema,
  type RedisConnection,
  readJson,
} from "../src/index.js";
import { rowsOf } from "./fixtures/frame-rows.js";
import { REFERENCE_EXAMPLE, USERS } from "./fixtures/redisjson-replies.js";

/**
 * The live lane: the JSON fixtures and scans against a real RedisJSON (Redis Stack or Redis 8), when
 * REDIS_STACK_URL points at one. Keys live under a unique prefix and are deleted afterwards.
 */
const url = process.env.REDIS_STACK_URL;
if (!url)
  console.info("json-live: skipped, REDIS_STACK_URL is not set (no RedisJSON server on this machine)");

describe.runIf(url)("RedisJSON live lane", () => {
  const prefix = `polars-redis-test:${process.pid}:${Date.now()}:`;
  let conn: RedisConnection;

  beforeAll(async () => {
    conn = await connect(url!);
    await conn.call(
      "JSON.SET",
      `${prefix}${REFERENCE_EXAMPLE.key}`,
      "$",
      '{"a":2, "b": 3, "nested": {"a": 4, "b": null}}',
    );
    for (const [key, { document }] of Object.entries(USERS))
      await conn.call("JSON.SET", `${prefix}${key}`, "$", document);
  });
  afterAll(async () => {
    if (conn) await deleteKeysMatching(conn, `${prefix}*`);
    await conn?.close();
  });

  it("answers exactly what the fixtures say", async () => {
    const check = async (key: string, paths: string[], expected: string) => {
      const reply = await conn.call("JSON.GET", `${prefix}${key}`, ...paths);
      expect(JSON.parse(String(reply)), `JSON.GET ${key} ${paths.join(" ")}`).toEqual(JSON.parse(expected));
    };
    await check("doc", ["$"], REFERENCE_EXAMPLE.whole.reply);
    await check("doc", ["$..b"], REFERENCE_EXAMPLE.recursiveB.reply);
    for (const [key, { replies }] of Object.entries(USERS)) {
      for (const [paths, reply] of Object.entries(replies)) await check(key, paths.split(" "), reply);
    }
    expect(await conn.call("JSON.GET", `${prefix}missing`, "$")).toBeNull();
  });

  it("scans, projects one field, reads nested paths and infers a schema", async () => {
    const schema = {
      name: pl.Utf8,
      tags: pl.List(pl.Utf8),
      address: pl.Struct({ city: pl.Utf8, zip: pl.Utf8 }),
      seen: pl.Datetime("ms", "UTC"),
    };
    const frame = await readJson(conn, { pattern: `${prefix}user:*`, schema });
    expect(rowsOf(frame.sort("_key")).map((row) => row.name)).toEqual(["Ada", "Bob", "Cy"]);
    const names = await readJson(conn, { pattern: `${prefix}user:*`, schema, columns: ["name"] });
    expect(names.getColumn("name").toArray().sort()).toEqual(["Ada", "Bob", "Cy"]);
    const cities = await readJson(conn, {
      pattern: `${prefix}user:*`,
      schema: { city: pl.Utf8 },
      paths: { city: "$.address.city" },
    });
    expect(cities.getColumn("city").toArray().sort()).toEqual(["London", "Paris", null].sort());
    const inferred = await inferJsonSchema(conn, { pattern: `${prefix}user:*` });
    expect(Object.keys(inferred.schema)).toContain("address");
    expect(inferred.sampleCount).toBe(3);
  });
});
