import { startRedis } from "@polars-redis/testkit";
import { requireModules, useRedisConnection } from "@polars-redis/testkit/vitest";
import pl from "nodejs-polars";
import { describe, expect, it } from "vitest";
import {
  connect,
  inferJsonSchema,
  ModuleNotLoadedError,
  readJson,
  readTimeseries,
  scanJson,
} from "../src/index.js";

// A plain redis-server: no RedisJSON, no RedisTimeSeries.
const plain = useRedisConnection({ connect });

async function expectMissing(promise: Promise<unknown>, module: string, command: string): Promise<void> {
  const error = await promise.catch((e: unknown) => e);
  expect(ModuleNotLoadedError.isInstance(error), String(error)).toBe(true);
  const missing = error as ModuleNotLoadedError;
  expect(missing.module).toBe(module);
  expect(missing.command).toBe(command);
  expect(missing.code).toBe("MODULE_NOT_LOADED");
  expect(missing.retryable).toBe(false);
  expect(missing.message).toMatch(/--loadmodule/);
}

describe("a server without the module says so once, instead of empty results or per-key errors", () => {
  it("JSON by pattern, by keys, and inference", async () => {
    await plain.send([["SET", "doc:1", "not json"]]);
    await expectMissing(
      readJson(plain.conn, { pattern: "doc:*", schema: { a: pl.Int64 } }),
      "ReJSON",
      "JSON.GET",
    );
    await expectMissing(
      readJson(plain.conn, { keys: ["doc:1", "doc:2"], schema: { a: pl.Int64 } }),
      "ReJSON",
      "JSON.GET",
    );
    await expectMissing(inferJsonSchema(plain.conn, { pattern: "doc:*" }), "ReJSON", "JSON.GET");
    await expectMissing(inferJsonSchema(plain.conn, { keys: ["doc:1"] }), "ReJSON", "JSON.GET");
    const frames = async () => {
      for await (const _ of scanJson(plain.conn, { schema: { a: pl.Int64 } })) break;
    };
    await expectMissing(frames(), "ReJSON", "JSON.GET");
  });

  it("time series by pattern and by keys", async () => {
    await expectMissing(readTimeseries(plain.conn, { pattern: "ts:*" }), "timeseries", "TS.RANGE");
    await expectMissing(readTimeseries(plain.conn, { keys: ["ts:1"] }), "timeseries", "TS.RANGE");
  });
});

describe.runIf(requireModules("json", "timeseries"))("with the modules loaded", () => {
  it("an empty match is an empty frame, not an error", async () => {
    await using server = await startRedis({ modules: ["json", "timeseries"] });
    const conn = await connect(server.url);
    try {
      expect((await readJson(conn, { pattern: "none:*", schema: { a: pl.Int64 } })).height).toBe(0);
      expect((await readTimeseries(conn, { pattern: "none:*" })).height).toBe(0);
      expect((await inferJsonSchema(conn, { pattern: "none:*" })).schema).toEqual({});
    } finally {
      await conn.close();
    }
  });
});
