import { connect } from "@polars-redis/core";
import { useRedisConnection } from "@polars-redis/testkit/vitest";
import pl from "nodejs-polars";
import { expect, it } from "vitest";
import { cacheDataFrame, cacheInfo, deleteCached, getCachedDataFrame } from "../src/index.js";

// One server with the default proto-max-bulk-len (512 MB): no single value can hold the frame.
const redis = useRedisConnection({ connect });

const LIMIT = 512 * 1024 * 1024;

it("round-trips a frame whose payload is larger than Redis's 512 MB value limit", async () => {
  const rows = 68_000_000; // 544 MB of Float64
  let values: Float64Array | undefined = new Float64Array(rows);
  for (let i = 0; i < rows; i++) values[i] = i;
  const frame = pl.DataFrame([pl.Series("v", values)]);
  values = undefined;

  const written = await cacheDataFrame(redis.conn, "big", frame);
  expect(written.bytes).toBeGreaterThan(LIMIT);
  expect(written.chunks).toBe(Math.ceil(written.bytes / (16 * 1024 * 1024)));
  expect((await cacheInfo(redis.conn, "big"))!.bytes).toBe(written.bytes);

  const back = await getCachedDataFrame(redis.conn, "big");
  expect(back!.height).toBe(rows);
  expect(back!.frameEqual(frame)).toBe(true);
  expect(await deleteCached(redis.conn, "big")).toBe(true);
}, 600_000);
