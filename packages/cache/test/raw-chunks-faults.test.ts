import { connect, type RedisConnection, RedisConnectionError, RedisTimeoutError } from "@polars-redis/core";
import { useFaultProxy, useRedisConnection } from "@polars-redis/testkit/vitest";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { cacheDataFrame, getCachedDataFrame } from "../src/index.js";
import { checkWhole, versionFrame } from "./fixtures/hammer.js";

/**
 * Chunk reads and writes take a raw channel of the connection (RawChunks over core's RequestPipe). Through a
 * real TCP fault proxy: a server that stops answering fails them with RedisTimeoutError at the connection's
 * command timeout, a dropped socket with RedisConnectionError (outcome unknown), and the connection works again
 * afterwards (the failed pipe is replaced). Vitest's test timeout is the hang guard.
 */
const redis = useRedisConnection({ connect });
const faults = useFaultProxy(() => redis.server);
const TIMEOUT_MS = 1500;

let conn: RedisConnection;
/**
 * `conn`, counting its raw channels, running `onRawChannel` once one is open (before anything is sent on it)
 * and `onChunkGet` before the first chunk GET is written to it.
 */
let raw: RedisConnection;
let rawChannelsOpened = 0;
let onRawChannel: () => void = () => {};
let onChunkGet: () => void = () => {};
const GET_COMMAND = Buffer.from("*2\r\n$3\r\nGET\r\n");

beforeAll(async () => {
  // Version 1, in 1 KiB chunks: the entry the faulty reads and writes start from.
  await cacheDataFrame(redis.conn, "faults:entry", versionFrame(1), { chunkBytes: 1024 });
});

beforeEach(async () => {
  conn = await connect(faults.proxy.url, { commandTimeoutMs: TIMEOUT_MS });
  onRawChannel = () => {};
  onChunkGet = () => {};
  raw = Object.assign(Object.create(conn) as RedisConnection, {
    openRawChannel: async () => {
      rawChannelsOpened++;
      const channel = await conn.openRawChannel!();
      const write = channel.write.bind(channel);
      channel.write = (bytes) => {
        if (
          Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
            .subarray(0, GET_COMMAND.length)
            .equals(GET_COMMAND)
        ) {
          onChunkGet();
          onChunkGet = () => {};
        }
        write(bytes);
      };
      onRawChannel();
      return channel;
    },
  });
});

afterEach(async () => {
  await faults.proxy.clearFaults();
  await conn.close();
});

/** A read of the entry through `raw` fails with RedisTimeoutError at the command timeout, in one of `commands`. */
async function expectReadTimeout(commands: string[], message: RegExp): Promise<void> {
  const error = await getCachedDataFrame(raw, "faults:entry").catch((failure: unknown) => failure);
  expect(RedisTimeoutError.isInstance(error)).toBe(true);
  expect((error as RedisTimeoutError).timeoutMs).toBe(TIMEOUT_MS);
  expect(commands).toContain((error as RedisTimeoutError).command);
  expect((error as Error).message).toMatch(message);
}

describe("chunk reads over the raw channel", () => {
  it("take the raw channel, and read the whole version", async () => {
    const opened = rawChannelsOpened;
    expect(checkWhole((await getCachedDataFrame(raw, "faults:entry"))!)).toBe(1);
    expect(rawChannelsOpened).toBe(opened + 1);
  });

  it("fail with RedisTimeoutError at the command timeout when the server stops answering", async () => {
    // The head was read (over the same channel); the server goes silent as the chunk GETs go out.
    onChunkGet = () => faults.proxy.blackhole();
    await expectReadTimeout(["GET"], /getCachedDataFrame\("faults:entry"\): reading chunk \d+ of \d+/);
    // The failed pipe is not reused: once the server answers again, the next read opens a new one.
    await faults.proxy.clearFaults();
    onRawChannel = () => {};
    const opened = rawChannelsOpened;
    expect(checkWhole((await getCachedDataFrame(raw, "faults:entry"))!)).toBe(1);
    expect(rawChannelsOpened).toBe(opened + 1);
  });

  it("a head read fails with RedisTimeoutError too when the server is silent from the start", async () => {
    // A connection's first read: the head goes over the connection itself while the raw channel opens.
    await faults.proxy.blackhole();
    await expectReadTimeout(["HGETALL", "PTTL"], /cache entry "faults:entry"/);
  });

  it("a head read over the open raw channel fails with RedisTimeoutError when the server goes silent", async () => {
    expect(checkWhole((await getCachedDataFrame(raw, "faults:entry"))!)).toBe(1);
    await faults.proxy.blackhole();
    await expectReadTimeout(["HMGET", "PTTL"], /cache entry "faults:entry"/);
  });

  it("a connection's first read reads the head without waiting for the raw channel to open", async () => {
    const order: string[] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    // If the head waited for the channel, the gate would open only by this timer: "gave up" comes first.
    const timer = setTimeout(() => {
      order.push("gave up");
      release();
    }, 5000);
    const first = Object.assign(Object.create(conn) as RedisConnection, {
      openRawChannel: async () => {
        await gate;
        order.push("raw channel open");
        return conn.openRawChannel!();
      },
      batch: (...args: Parameters<RedisConnection["batch"]>) => {
        order.push("head");
        release();
        return conn.batch(...args);
      },
    });
    try {
      expect(checkWhole((await getCachedDataFrame(first, "faults:entry"))!)).toBe(1);
    } finally {
      clearTimeout(timer);
    }
    expect(order).toEqual(["head", "raw channel open"]);
  });

  it("fail with RedisConnectionError, outcome unknown, when the socket is reset", async () => {
    onChunkGet = () => {
      faults.proxy.blackhole({ direction: "toClient" });
      setTimeout(() => faults.proxy.dropConnections({ reset: true }), 50);
    };
    const error = await getCachedDataFrame(raw, "faults:entry").catch((failure: unknown) => failure);
    expect(RedisConnectionError.isInstance(error)).toBe(true);
    expect((error as RedisConnectionError).outcome).toBe("unknown");
  });
});

describe("chunk writes over the raw channel", () => {
  it("fail with RedisTimeoutError when the server stops answering; the previous version stays, no chunk lives on", async () => {
    onRawChannel = () => faults.proxy.blackhole();
    const error = await cacheDataFrame(raw, "faults:entry", versionFrame(2), {
      chunkBytes: 1024,
      stagingTtl: 60,
    }).catch((failure: unknown) => failure);
    expect(RedisTimeoutError.isInstance(error)).toBe(true);
    expect((error as RedisTimeoutError).timeoutMs).toBe(TIMEOUT_MS);
    expect((error as Error).message).toMatch(/cacheDataFrame\("faults:entry"\)/);
    await faults.proxy.clearFaults();
    // Nothing reached the server (the proxy held every byte): version 1 is live and whole.
    expect(checkWhole((await getCachedDataFrame(redis.conn, "faults:entry"))!)).toBe(1);
    const live = (await redis.conn.call("HGET", "faults:entry", "gen")) as string;
    for await (const page of redis.conn.scanKeys({ pattern: "{faults:entry}:~*" })) {
      for (const chunk of page) {
        if (chunk.includes(live)) continue;
        const pttl = Number(await redis.conn.call("PTTL", chunk));
        expect(pttl > 0 && pttl <= 60_000).toBe(true);
      }
    }
    // The connection writes again through a new pipe.
    onRawChannel = () => {};
    await cacheDataFrame(raw, "faults:entry", versionFrame(3), { chunkBytes: 1024 });
    expect(checkWhole((await getCachedDataFrame(redis.conn, "faults:entry"))!)).toBe(3);
    await cacheDataFrame(redis.conn, "faults:entry", versionFrame(1), { chunkBytes: 1024 });
  });
});
