import { connect } from "@polars-redis/core";
import { useRedisConnection } from "@polars-redis/testkit/vitest";
import { describe, expect, it } from "vitest";
import { PayloadWriter } from "../src/engine/payload-writer.js";
import { COLLECTION_SCRIPT } from "../src/scripts/collection-script.js";
import { PUBLISH_STAGED_SCRIPT } from "../src/scripts/publish-staged-script.js";
import { STREAM_DEDUPE_SCRIPT } from "../src/scripts/stream-dedupe-script.js";
import { STREAM_SCRIPT } from "../src/scripts/stream-script.js";
import { STRING_SCRIPT } from "../src/scripts/string-script.js";
import { TIMESERIES_SCRIPT } from "../src/scripts/timeseries-script.js";

const redis = useRedisConnection({ connect, flushBeforeEach: true });

describe("the writer's Lua scripts on a real redis-server", () => {
  it("all compile: SCRIPT LOAD answers each one's SHA", async () => {
    const scripts = [
      COLLECTION_SCRIPT,
      PUBLISH_STAGED_SCRIPT,
      STREAM_DEDUPE_SCRIPT,
      STREAM_SCRIPT,
      STRING_SCRIPT,
      TIMESERIES_SCRIPT,
    ];
    for (const script of scripts)
      expect(await redis.conn.call("SCRIPT", "LOAD", script.source)).toBe(script.sha);
  });

  it("time series (no RedisTimeSeries here): fail mode skips an existing key, a failed TS.CREATE is its key's status", async () => {
    await redis.conn.call("SET", "ts:existing", "x");
    const payload = new PayloadWriter();
    for (let key = 0; key < 2; key++) {
      payload.number(60_000); // ttl
      payload.number(3); // arguments: no labels, one sample
      payload.number(0);
      payload.number(1000);
      payload.text("1.5");
    }
    const reply = (await redis.conn.call(
      "EVAL",
      TIMESERIES_SCRIPT.source,
      2,
      "ts:existing",
      "ts:new",
      "fail",
      "",
      "LAST",
      payload.finish(),
    )) as unknown[];
    expect(reply[0]).toBe(0);
    expect(String(reply[1])).toMatch(/unknown redis command/i);
    expect(await redis.conn.call("GET", "ts:existing")).toBe("x");
    expect(await redis.conn.call("EXISTS", "ts:new")).toBe(0);
  });
});
