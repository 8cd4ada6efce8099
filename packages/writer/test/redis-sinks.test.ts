import {
  connect,
  InvalidArgumentError,
  type RedisConnection,
  type SinkWriteContext,
} from "@polars-redis/core";
import { type RedisServer, startRedis } from "@polars-redis/testkit";
import pl from "nodejs-polars";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { redisHashSink, redisStreamSink } from "../src/index.js";

let server: RedisServer;
let conn: RedisConnection;

beforeAll(async () => {
  server = await startRedis();
  conn = await connect(server.url);
});
afterAll(async () => {
  await conn?.close();
  await server?.stop();
});
beforeEach(async () => {
  await conn.call("FLUSHALL");
});

const context = (rowIds?: string[], attempt = 1): SinkWriteContext => ({
  signal: new AbortController().signal,
  attempt,
  ...(rowIds ? { rowIds } : {}),
});

describe("redisHashSink", () => {
  it("writes hashes, and replaying the batch leaves the same state", async () => {
    const sink = redisHashSink(conn, { keyPrefix: "order:", keyColumn: "id" });
    const frame = pl.DataFrame({ id: ["1", "2"], total: ["9.5", "3"] });
    const first = await sink.write(frame, context());
    const replay = await sink.write(frame, context(undefined, 2));
    expect(first.written).toBe(2);
    expect(replay.written).toBe(2);
    expect(await conn.call("HGETALL", "order:1")).toEqual(["total", "9.5"]);
    expect(await conn.call("DBSIZE")).toBe(2);
    await sink.close?.();
    await sink.close?.();
    expect(await conn.call("PING")).toBe("PONG");
  });
});

describe("redisStreamSink", () => {
  it("uses the source ids as entry ids, so a replayed batch adds nothing twice", async () => {
    const sink = redisStreamSink(conn, { stream: "dest" });
    const frame = pl.DataFrame({ kind: ["a", "b", "c"] });
    const rowIds = ["1700000000000-0", "1700000000000-1", "1700000000005-0"];
    await sink.write(frame.head(2), context(rowIds.slice(0, 2)));
    const replay = await sink.write(frame, context(rowIds, 2));
    expect(replay.isCompleteSuccess()).toBe(true);
    const ids = ((await conn.call("XRANGE", "dest", "-", "+")) as [string, string[]][]).map(([id]) => id);
    expect(ids).toEqual(rowIds);
  });

  it("refuses to guess ids when the batch has no stream row ids", async () => {
    const sink = redisStreamSink(conn, { stream: "dest" });
    const error = await sink.write(pl.DataFrame({ v: ["x"] }), context(["row-1"])).catch((e: unknown) => e);
    expect(InvalidArgumentError.isInstance(error)).toBe(true);
    const auto = redisStreamSink(conn, { stream: "dest", ids: "auto" });
    expect((await auto.write(pl.DataFrame({ v: ["x"] }), context())).written).toBe(1);
  });
});
