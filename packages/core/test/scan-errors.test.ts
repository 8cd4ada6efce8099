import { type ClientPause, pauseClients, waitFor } from "@polars-redis/testkit";
import { useRedisConnection } from "@polars-redis/testkit/vitest";
import pl from "nodejs-polars";
import { describe, expect, it } from "vitest";
import {
  AbortedError,
  type Command,
  connect,
  InvalidArgumentError,
  readHashes,
  type ScanReport,
  SchemaMismatchError,
  scanHashes,
} from "../src/index.js";
import { spyConnection } from "./fixtures/command-spy.js";
import { onPath, type ReadPath } from "./fixtures/read-paths.js";

const redis = useRedisConnection({ connect });

async function loadHashes(prefix: string, n: number): Promise<void> {
  await redis.send(Array.from({ length: n }, (_, i): Command => ["HSET", `${prefix}${i}`, "n", String(i)]));
}

describe.each(["batch", "raw"] as const)("coercion errors, %s path", (path: ReadPath) => {
  const target = () => onPath(redis.conn, path);

  it('onError "raise" throws SchemaMismatchError naming key, field, raw value and dtype', async () => {
    await redis.send([
      ["HSET", `ce:${path}:raise:1`, "age", "41"],
      ["HSET", `ce:${path}:raise:2`, "age", "forty-two"],
    ]);
    const error = await readHashes(target(), {
      pattern: `ce:${path}:raise:*`,
      schema: { age: pl.Int64 },
    }).catch((e: unknown) => e);
    expect(SchemaMismatchError.isInstance(error)).toBe(true);
    const mismatch = error as SchemaMismatchError;
    expect(mismatch.key).toBe(`ce:${path}:raise:2`);
    expect(mismatch.field).toBe("age");
    expect(mismatch.rawValue).toBe("forty-two");
    expect(mismatch.expected).toBe("Int64");
  });

  it('onError "null" nulls the values and counts them per field', async () => {
    await redis.send([
      ["HSET", `ce:${path}:null:1`, "age", "41", "when", "2024-01-15", "ok", "yes"],
      ["HSET", `ce:${path}:null:2`, "age", "4.5", "when", "2024-02-30", "ok", "maybe"],
      ["HSET", `ce:${path}:null:3`, "age", "x", "when", "15/01/2024", "ok", "0"],
    ]);
    let report: ScanReport | undefined;
    const frame = (
      await readHashes(target(), {
        pattern: `ce:${path}:null:*`,
        schema: { age: pl.Int64, when: pl.Date, ok: pl.Bool },
        onError: "null",
        onReport: (r) => {
          report = r;
        },
      })
    ).sort("_key");
    expect(frame.getColumn("age").toArray()).toEqual([41, null, null]);
    expect(frame.getColumn("ok").toArray()).toEqual([true, null, false]);
    expect(frame.getColumn("when").nullCount()).toBe(2);
    expect(report?.coercedToNull).toEqual({ age: 2, when: 2, ok: 1 });
  });

  it("refuses bytes that are not UTF-8 in a Utf8 column instead of mangling them", async () => {
    await redis.conn.call("HSET", `ce:${path}:bin:1`, "v", Buffer.from([0x66, 0xff, 0xfe]));
    const error = await readHashes(target(), { pattern: `ce:${path}:bin:*`, schema: { v: pl.Utf8 } }).catch(
      (e: unknown) => e,
    );
    expect(SchemaMismatchError.isInstance(error)).toBe(true);
    const scan = scanHashes(target(), {
      pattern: `ce:${path}:bin:*`,
      schema: { v: pl.Utf8 },
      onError: "null",
    });
    for await (const frame of scan) expect(frame.getColumn("v").toArray()).toEqual([null]);
    expect(scan.report.coercedToNull).toEqual({ v: 1 });
  });
});

describe("keys that disappear during a scan", () => {
  it("skips keys deleted or expired between SCAN and the read", async () => {
    await loadHashes("ce:vanish:", 60);
    const spy = spyConnection(redis.conn, async (commands) => {
      if (commands[0]?.[0] !== "HGETALL") return;
      const keys = commands.map((command) => String(command[1]));
      await redis.conn.call("DEL", keys[0]!, keys[1]!);
      await redis.conn.call("PEXPIRE", keys[2]!, 1);
      await waitFor(async () => (await redis.conn.call("EXISTS", keys[2]!)) === 0);
    });
    const scan = scanHashes(spy, { pattern: "ce:vanish:*", schema: { n: pl.Int64 }, batchSize: 20 });
    let rows = 0;
    for await (const frame of scan) rows += frame.height;
    expect(rows).toBe(60 - 3 * 3);
    expect(scan.report.keysMissing).toBe(9);
    expect(scan.report.complete).toBe(true);
  });

  it("skips a key re-created with another type, and counts it", async () => {
    await loadHashes("ce:retype:", 10);
    const spy = spyConnection(redis.conn, async (commands) => {
      if (commands[0]?.[0] !== "HGETALL") return;
      const key = String(commands[0][1]);
      await redis.conn.call("DEL", key);
      await redis.conn.call("SET", key, "now a string");
    });
    const scan = scanHashes(spy, { pattern: "ce:retype:*", schema: { n: pl.Int64 } });
    let rows = 0;
    for await (const frame of scan) rows += frame.height;
    expect(rows).toBe(9);
    expect(scan.report.keysWrongType).toBe(1);
  });
});

describe("abort", () => {
  it("rejects at once with AbortedError for a signal that already fired, sending nothing", async () => {
    const spy = spyConnection(redis.conn);
    const controller = new AbortController();
    controller.abort("stop");
    const error = await readHashes(spy, {
      pattern: "*",
      schema: { n: pl.Int64 },
      signal: controller.signal,
    }).catch((e: unknown) => e);
    expect(AbortedError.isInstance(error)).toBe(true);
    expect((error as AbortedError).cause).toBe("stop");
    expect(spy.batches).toHaveLength(0);
  });

  it("stops between frames and leaves the connection usable", async () => {
    await loadHashes("ce:abort:", 500);
    const controller = new AbortController();
    const spy = spyConnection(redis.conn);
    let frames = 0;
    const error = await (async () => {
      for await (const _ of scanHashes(spy, {
        pattern: "ce:abort:*",
        schema: { n: pl.Int64 },
        batchSize: 50,
        signal: controller.signal,
      })) {
        frames++;
        if (frames === 2) controller.abort();
      }
    })().catch((e: unknown) => e);
    expect(AbortedError.isInstance(error)).toBe(true);
    expect(frames).toBe(2);
    expect(spy.batches.length).toBeLessThan(10);
    expect(await redis.conn.call("PING")).toBe("PONG");
  });

  it("stops while a batch is stuck on the redis.server, without waiting for its reply", async () => {
    await loadHashes("ce:stuck:", 20);
    const controller = new AbortController();
    let replyArrived = false;
    let pause: ClientPause | undefined;
    const spy = spyConnection(redis.conn, async () => {
      // Every command now waits 3 s on the server: the HGETALL batch cannot be answered before then.
      pause = await pauseClients(redis.server, { ms: 3000 });
    });
    const batch = spy.batch.bind(spy);
    spy.batch = (commands, options) =>
      batch(commands, options).finally(() => {
        replyArrived = true;
      });
    const scan = (async () => {
      for await (const _ of scanHashes(spy, {
        pattern: "ce:stuck:*",
        schema: { n: pl.Int64 },
        signal: controller.signal,
      })) {
        // no frame can arrive while the server is paused
      }
    })();
    await waitFor(async () => pause !== undefined);
    controller.abort();
    const error = await scan.catch((e: unknown) => e);
    expect(AbortedError.isInstance(error)).toBe(true);
    // The scan gave up while its batch was still unanswered.
    expect(replyArrived).toBe(false);
    await waitFor(async () => replyArrived);
    expect(await redis.conn.call("PING")).toBe("PONG");
    const frame = await readHashes(redis.conn, { pattern: "ce:stuck:*", schema: { n: pl.Int64 } });
    expect(frame.height).toBe(20);
  });
});

describe("bad options fail before any I/O", () => {
  const cases: [string, Record<string, unknown>][] = [
    ["unknown dtype name", { schema: { a: "int65" } }],
    ["unknown dtype object", { schema: { a: pl.UInt8 } }],
    ["bad time zone", { schema: { a: "datetime[ms, Mars/Olympus]" } }],
    ["bad time unit", { schema: { a: pl.Datetime("s" as never) } }],
    ["nested dtype for hashes", { schema: { a: pl.List(pl.Int64) } }],
    ["no schema and no columns", {}],
    ["column outside the schema", { schema: { a: pl.Int64 }, columns: ["b"] }],
    ["pattern and keys", { schema: { a: pl.Int64 }, pattern: "x", keys: ["y"] }],
    ["batchSize 0", { schema: { a: pl.Int64 }, batchSize: 0 }],
    ["negative limit", { schema: { a: pl.Int64 }, limit: -1 }],
    ["bad onError", { schema: { a: pl.Int64 }, onError: "ignore" }],
    ["filter that is not an expression", { schema: { a: pl.Int64 }, filter: "a > 1" }],
    ["column name clash", { schema: { _key: pl.Int64 } }],
    ["keys not strings", { schema: { a: pl.Int64 }, keys: [1, 2] }],
    ["empty name for a column left out", { schema: { a: pl.Int64 }, includeTtl: false, ttlColumn: "" }],
  ];
  for (const [label, options] of cases) {
    it(label, async () => {
      const spy = spyConnection(redis.conn);
      expect(() => scanHashes(spy, options as never)).toThrow(InvalidArgumentError);
      const error = await readHashes(spy, options as never).catch((e: unknown) => e);
      expect(InvalidArgumentError.isInstance(error)).toBe(true);
      expect(spy.batches).toHaveLength(0);
    });
  }
});
