import { useFaultProxy, useRedis } from "@polars-redis/testkit/vitest";
import pl from "nodejs-polars";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  type Command,
  connect,
  type RedisConnection,
  RedisConnectionError,
  RedisTimeoutError,
  scanHashes,
} from "../src/index.js";

/**
 * Issue 11, defect 1: a read on the raw path (readHashes/scanHashes by keys, and by pattern once SCAN has
 * returned) through a server that stops answering must fail with a typed RedisTimeoutError at the
 * connection's command timeout, not hang; a dropped socket fails it with a RedisConnectionError.
 * Real redis-server, real TCP fault proxy in between. (Vitest's test timeout is the hang guard: before the
 * fix these reads were still waiting after 30 s.)
 */
const redis = useRedis();
const faults = useFaultProxy(() => redis.server);
const KEYS = Array.from({ length: 3000 }, (_, i) => `deadline:${String(i).padStart(5, "0")}`);
const schema = { name: pl.Utf8, age: pl.Int64 };

let conn: RedisConnection;
let raw: RedisConnection;
let rawChannelsOpened = 0;
/** Resolves when the last raw channel opened has closed. */
let lastChannelClosed: Promise<Error | undefined> = Promise.resolve(undefined);

beforeAll(async () => {
  const loader = await connect(redis.url);
  try {
    const commands: Command[] = KEYS.map((key, i) => ["HSET", key, "name", `n${i}`, "age", String(i)]);
    for (const reply of await loader.batch(commands)) if (reply instanceof Error) throw reply;
  } finally {
    await loader.close();
  }
});

beforeEach(async () => {
  conn = await connect(faults.proxy.url, { commandTimeoutMs: 2000 });
  // The same connection, counting the raw channels it opens: proves the read took the raw path.
  raw = Object.assign(Object.create(conn) as RedisConnection, {
    openRawChannel: async () => {
      rawChannelsOpened++;
      const channel = await conn.openRawChannel!();
      lastChannelClosed = new Promise((resolve) => channel.onClose(resolve));
      return channel;
    },
  });
});

afterEach(async () => {
  await faults.proxy.clearFaults();
  await conn.close();
});

/** Reads frame by frame; once the first frame is in, switches `fault` on. Returns the error the read ends with. */
async function failMidRead(
  options: Parameters<typeof scanHashes>[1],
  fault: () => void,
): Promise<{ error: unknown; frames: number; rows: number }> {
  let frames = 0;
  let rows = 0;
  const opened = rawChannelsOpened;
  try {
    for await (const frame of scanHashes(raw, { schema, batchSize: 200, ...options })) {
      if (frames++ === 0) fault();
      rows += frame.height;
    }
  } catch (error) {
    expect(rawChannelsOpened).toBe(opened + 1);
    return { error, frames, rows };
  }
  throw new Error(`the read completed (${rows} rows) although the server stopped answering`);
}

describe("a raw read through a silent server fails with RedisTimeoutError", () => {
  it("by keys, blackholed mid-read", async () => {
    const { error, rows } = await failMidRead({ keys: KEYS }, () => faults.proxy.blackhole());
    expect(RedisTimeoutError.isInstance(error)).toBe(true);
    expect((error as RedisTimeoutError).timeoutMs).toBe(2000);
    expect((error as RedisTimeoutError).command).toBe("HGETALL");
    expect(rows).toBeLessThan(KEYS.length);
  });

  it("by keys with a projection (HMGET), blackholed before the first reply", async () => {
    faults.proxy.blackhole();
    const opened = rawChannelsOpened;
    const error = await (async () => {
      for await (const _ of scanHashes(raw, { keys: KEYS, schema, columns: ["age"] })) {
        // no frame can arrive
      }
    })().catch((failure: unknown) => failure);
    expect(rawChannelsOpened).toBe(opened + 1);
    expect(RedisTimeoutError.isInstance(error)).toBe(true);
    expect((error as RedisTimeoutError).command).toBe("HMGET");
  });

  it("by pattern once SCAN has returned every key (the fault never meets a SCAN)", async () => {
    // COUNT 100000 over 3000 keys: the first SCAN returns them all (cursor 0) before the first frame.
    const { error } = await failMidRead({ pattern: "deadline:*", countHint: 100_000 }, () =>
      faults.proxy.blackhole(),
    );
    expect(RedisTimeoutError.isInstance(error)).toBe(true);
    expect((error as RedisTimeoutError).command).toBe("HGETALL");
  });

  it("closes the raw channel it gave up, and the connection reads again afterwards", async () => {
    const { error } = await failMidRead({ keys: KEYS }, () => faults.proxy.blackhole());
    expect(RedisTimeoutError.isInstance(error)).toBe(true);
    // Closed by the read itself (undefined: not an error from the socket).
    expect(await lastChannelClosed).toBeUndefined();
    await faults.proxy.clearFaults();
    let rows = 0;
    for await (const frame of scanHashes(raw, { keys: KEYS, schema })) rows += frame.height;
    expect(rows).toBe(KEYS.length);
  });
});

describe("a raw read whose socket dies fails with RedisConnectionError, outcome unknown", () => {
  it("connection reset mid-read", async () => {
    const { error } = await failMidRead({ keys: KEYS }, () => {
      faults.proxy.blackhole({ direction: "toClient" });
      faults.proxy.dropConnections({ reset: true });
    });
    expect(RedisConnectionError.isInstance(error)).toBe(true);
    expect((error as RedisConnectionError).outcome).toBe("unknown");
  });
});
