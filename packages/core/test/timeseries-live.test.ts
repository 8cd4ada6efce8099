import { requireModules, useRedisConnection } from "@polars-redis/testkit/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, deleteKeysMatching, type RedisConnection, readTimeseries } from "../src/index.js";
import { KITCHEN_INFO, TIMESERIES_REPLIES } from "./fixtures/redistimeseries-replies.js";

/**
 * The live lanes: the time series fixtures and scans against a real RedisTimeSeries. Always on a testkit
 * server with the RedisTimeSeries module (REDIS_MODULES_DIR; under CI a missing module fails), and also on
 * Redis Stack / Redis 8 when REDIS_STACK_URL points at one. Keys live under a unique prefix and are deleted
 * afterwards.
 */
describe.runIf(requireModules("timeseries"))("RedisTimeSeries live lane (module server)", () => {
  const redis = useRedisConnection({ connect, modules: ["timeseries"] });
  liveLane(() => redis.conn);
});

const stackUrl = process.env.REDIS_STACK_URL;
if (!stackUrl) console.info("timeseries-live: Redis Stack lane skipped, REDIS_STACK_URL is not set");

describe.runIf(stackUrl)("RedisTimeSeries live lane (REDIS_STACK_URL)", () => {
  let stack: RedisConnection | undefined;
  beforeAll(async () => {
    stack = await connect(stackUrl!);
  });
  afterAll(async () => {
    await stack?.close();
  });
  liveLane(() => stack!);
});

function liveLane(connection: () => RedisConnection): void {
  const prefix = `polars-redis-test:${process.pid}:${Date.now()}:`;
  let conn: RedisConnection;

  beforeAll(async () => {
    conn = connection();
    const p = prefix;
    await conn.call("TS.CREATE", `${p}temp:TLV`, "LABELS", "type", "temp", "location", "TLV");
    await conn.call(
      "TS.MADD",
      `${p}temp:TLV`,
      1000,
      30,
      `${p}temp:TLV`,
      1010,
      35,
      `${p}temp:TLV`,
      1020,
      9999,
      `${p}temp:TLV`,
      1030,
      40,
    );
    await conn.call("TS.CREATE", `${p}stock:A`, "LABELS", "type", "stock", "name", "A");
    for (const base of [1000, 2000, 3000]) {
      // 100, 110, 120 at 1000, 1010, 1020; then 200... and 300..., as on the reference page.
      await conn.call(
        "TS.MADD",
        ...[0, 10, 20].flatMap((offset) => [`${p}stock:A`, base + offset, base / 10 + offset]),
      );
    }
    await conn.call(
      "TS.CREATE",
      `${p}telemetry:kitchen:temperature`,
      "LABELS",
      "room",
      "kitchen",
      "type",
      "temperature",
    );
  });
  afterAll(async () => {
    if (conn) await deleteKeysMatching(conn, `${prefix}*`);
  });

  it("answers every TS.RANGE exactly as the fixtures say, and TS.INFO labels as documented", async () => {
    for (const [command, expected] of TIMESERIES_REPLIES) {
      const [name, key, ...args] = command.split(" ");
      if (name !== "TS.RANGE") continue;
      const reply = (await conn.call(name, `${prefix}${key}`, ...args)) as [number, string][];
      expect(
        reply.map(([timestamp, value]) => [Number(timestamp), Number(value)]),
        command,
      ).toEqual((expected as [number, string][]).map(([timestamp, value]) => [timestamp, Number(value)]));
    }
    const info = (await conn.call("TS.INFO", `${prefix}telemetry:kitchen:temperature`)) as unknown[];
    const labels = info[info.indexOf("labels") + 1];
    expect(labels).toEqual((KITCHEN_INFO as unknown[])[(KITCHEN_INFO as unknown[]).indexOf("labels") + 1]);
    const missing = await conn
      .call("TS.RANGE", `${prefix}nope`, "-", "+")
      .catch((error: Error) => error.message);
    expect(missing).toMatch(/key does not exist/);
  });

  it("reads fractional and exponent-formatted values exactly (RedisTimeSeries 1.10 sends 0.5 as 5E-1)", async () => {
    const key = `${prefix}fractions`;
    const values = [0.5, -2.25, 1e-7, 1234567.125, 1e21, 0.1];
    await conn.call("TS.CREATE", key);
    await conn.call("TS.MADD", ...values.flatMap((value, i) => [key, 1000 + i, value]));
    const frame = await readTimeseries(conn, { keys: [key] });
    expect(frame.getColumn("value").toArray()).toEqual(values);
    await conn.call("DEL", key);
  });

  it("scans with labels, aggregation and paging", async () => {
    const frame = await readTimeseries(conn, { pattern: `${prefix}*`, labels: ["type"], pageSize: 2 });
    expect(frame.height).toBe(13);
    const buckets = await readTimeseries(conn, {
      keys: [`${prefix}stock:A`],
      aggregation: "min",
      bucketMs: 20,
      pageSize: 2,
    });
    expect(buckets.getColumn("value").toArray()).toEqual([100, 120, 200, 220, 300, 320]);
  });
}
