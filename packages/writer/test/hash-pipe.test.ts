import {
  connect,
  InvalidArgumentError,
  type RedisCommandError,
  type RedisConnection,
  RedisConnectionError,
  RedisTimeoutError,
} from "@polars-redis/core";
import { forceOutOfMemory } from "@polars-redis/testkit";
import { useRedisConnection } from "@polars-redis/testkit/vitest";
import pl from "nodejs-polars";
import { describe, expect, it } from "vitest";
import { WriteAbortedError, type WriteProgress, writeHashes } from "../src/index.js";
import { useProxiedConnection } from "./fixtures/proxied-connection.js";
import { viaTransport } from "./fixtures/transports.js";

const redis = useRedisConnection({ connect, flushBeforeEach: true });

function hashFrame(count: number, valueBytes = 16, prefix = "h"): pl.DataFrame {
  const keys = Array.from({ length: count }, (_, i) => `${prefix}:${i}`);
  const pad = "x".repeat(valueBytes);
  return pl.DataFrame({
    _key: keys,
    a: keys.map((key) => `${key}:${pad}`),
    b: keys.map((_, i) => String(i)),
  });
}

/** Calls per command since the last CONFIG RESETSTAT, from INFO commandstats. */
async function commandCalls(connection: RedisConnection): Promise<Record<string, number>> {
  const info = (await connection.call("INFO", "commandstats")) as string;
  const calls: Record<string, number> = {};
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls[match[1]!] = Number(match[2]);
  return calls;
}

async function expectWhole(connection: RedisConnection, count: number, valueBytes = 16, prefix = "h") {
  const replies = await connection.batch(
    Array.from({ length: count }, (_, i) => ["HGETALL", `${prefix}:${i}`] as const),
  );
  for (let i = 0; i < count; i++) {
    const flat = replies[i] as string[];
    // Field order is the server's (a hash with long values is no longer a listpack): compare as records.
    const fields = Object.fromEntries(
      flat.flatMap((_, at) => (at % 2 === 0 ? [[flat[at], flat[at + 1]]] : [])),
    );
    expect(fields, `${prefix}:${i}`).toEqual({ a: `${prefix}:${i}:${"x".repeat(valueBytes)}`, b: String(i) });
  }
}

describe("which transport writeHashes picks on a single server", () => {
  it("replace: MULTI/EXEC groups of at most 100 keys; append: plain HSET; fail and append+TTL: the script", async () => {
    const frame = hashFrame(250);
    await redis.conn.call("CONFIG", "RESETSTAT");
    await writeHashes(redis.conn, frame);
    let calls = await commandCalls(redis.conn);
    expect(calls).toMatchObject({ multi: 3, exec: 3, del: 3, hset: 250 });
    expect(calls.evalsha).toBeUndefined();

    await redis.conn.call("CONFIG", "RESETSTAT");
    await writeHashes(redis.conn, frame, { ifExists: "append" });
    calls = await commandCalls(redis.conn);
    expect(calls).toMatchObject({ hset: 250 });
    expect(calls.multi).toBeUndefined();
    expect(calls.evalsha).toBeUndefined();

    for (const options of [{ ifExists: "fail" }, { ifExists: "append", ttl: 60 }] as const) {
      await redis.conn.call("CONFIG", "RESETSTAT");
      await writeHashes(redis.conn, frame, options);
      calls = await commandCalls(redis.conn);
      expect(calls.evalsha ?? 0, JSON.stringify(options)).toBeGreaterThan(0);
      expect(calls.multi, JSON.stringify(options)).toBeUndefined();
    }

    await redis.conn.call("CONFIG", "RESETSTAT");
    await writeHashes(viaTransport(redis.conn, "script"), frame);
    expect((await commandCalls(redis.conn)).evalsha).toBeGreaterThan(0);
  });

  it("replace with a TTL sets it inside the transaction; replace without one clears an old TTL", async () => {
    await redis.conn.call("SET", "h:0", "a string key is replaced too");
    await writeHashes(redis.conn, hashFrame(120), { ttl: 100 });
    for (const key of ["h:0", "h:119"]) {
      const ttl = (await redis.conn.call("TTL", key)) as number;
      expect(ttl).toBeGreaterThan(90);
    }
    await expectWhole(redis.conn, 120);
    await writeHashes(redis.conn, hashFrame(120));
    expect(await redis.conn.call("TTL", "h:7")).toBe(-1);
  });

  it("closes a transaction at about 1 MB and writes a hash with more fields than one script call takes", async () => {
    const big = 300_000;
    const frame = hashFrame(12, big);
    const result = await writeHashes(redis.conn, frame);
    expect(result.isCompleteSuccess()).toBe(true);
    await expectWhole(redis.conn, 12, big);

    const fields = 9_000;
    // Built by transposing a long frame: 9000 columns one by one would take nodejs-polars seconds.
    const names = Array.from({ length: fields }, (_, f) => `f${f}`);
    const wide = pl
      .DataFrame({
        wide: names.map((_, f) => `v${f}`),
        narrow: names.map((_, f) => (f === 0 ? "only" : null)),
      })
      .transpose({ columnNames: names })
      .withColumns(pl.Series("_key", ["wide", "narrow"]));
    const written = await writeHashes(redis.conn, wide);
    expect(written.written).toBe(2);
    expect(await redis.conn.call("HLEN", "wide")).toBe(fields);
    expect(await redis.conn.call("HGET", "wide", "f8999")).toBe("v8999");
    expect(await redis.conn.call("HGETALL", "narrow")).toEqual(["f0", "only"]);
  });

  it("concurrent writes through one connection share its pipe and each get their own results", async () => {
    const results = await Promise.all(
      ["p", "q", "r"].map((prefix) => writeHashes(redis.conn, hashFrame(700, 16, prefix), { batchSize: 64 })),
    );
    for (const result of results) expect(result.written).toBe(700);
    for (const prefix of ["p", "q", "r"]) await expectWhole(redis.conn, 700, 16, prefix);
  });
});

describe("raw pipe under faults", () => {
  it("OOM in replace: refused transactions leave their keys untouched; a retry after memory frees sends only them", async () => {
    const frame = hashFrame(3000, 200);
    const oom = await forceOutOfMemory(redis.server, { headroomBytes: 300_000 });
    await redis.conn.call("CONFIG", "RESETSTAT");
    let firstPass: WriteProgress | undefined;
    let freed: Promise<void> | undefined;
    try {
      const result = await writeHashes(redis.conn, frame, {
        batchSize: 100,
        retry: { attempts: 20, initialDelayMs: 20, maxDelayMs: 200 },
        onProgress: (progress) => {
          if (progress.attempt === 1 && progress.written + progress.failed === progress.total && !freed) {
            firstPass = progress;
            freed = oom.restore();
          }
        },
      });
      await freed;
      expect(firstPass!.written).toBeGreaterThan(0);
      expect(firstPass!.failed).toBeGreaterThan(0);
      expect(result.isCompleteSuccess()).toBe(true);
      // HSETs queued in an aborted transaction never run: 3000 executed HSETs means no key was written twice.
      expect((await commandCalls(redis.conn)).hset).toBe(3000);
      await expectWhole(redis.conn, 3000, 200);
    } finally {
      await oom.restore();
    }
  });

  it("OOM in replace without retries: every failed key says OOM, retryable, and does not exist", async () => {
    const oom = await forceOutOfMemory(redis.server, { headroomBytes: 300_000 });
    try {
      const result = await writeHashes(redis.conn, hashFrame(3000, 200), { retry: false, batchSize: 100 });
      expect(result.failed).toBeGreaterThan(0);
      expect(result.written + result.failed).toBe(3000);
      for (const error of result.errors.values()) {
        expect((error as RedisCommandError).redisCode).toBe("OOM");
        expect(error.retryable).toBe(true);
      }
      const refused = result.failedKeys();
      const exists = await redis.conn.batch(refused.map((key) => ["EXISTS", key] as const));
      expect(exists.every((reply) => reply === 0)).toBe(true);
    } finally {
      await oom.restore();
    }
  });

  it("OOM in append: each refused HSET fails its key alone, retryable", async () => {
    const oom = await forceOutOfMemory(redis.server, { headroomBytes: 300_000 });
    try {
      const result = await writeHashes(redis.conn, hashFrame(3000, 200), {
        ifExists: "append",
        retry: false,
      });
      expect(result.written).toBeGreaterThan(0);
      expect(result.failed).toBeGreaterThan(0);
      for (const error of result.errors.values()) {
        expect((error as RedisCommandError).redisCode).toBe("OOM");
        expect((error as RedisCommandError).command).toBe("HSET");
        expect(error.retryable).toBe(true);
      }
    } finally {
      await oom.restore();
    }
  });
});

describe("raw pipe through the fault proxy", () => {
  const proxied = useProxiedConnection(redis, { commandTimeoutMs: 1_000 });

  it("a connection cut mid-pipeline leaves unanswered keys unknown; a retry converges", async () => {
    const frame = hashFrame(2000);
    const cut = proxied.proxy.closeAfterBytes({ bytes: 3000, direction: "toClient" });
    let healed: Promise<void> | undefined;
    const first = await writeHashes(proxied.conn, frame, {
      batchSize: 100,
      parallel: 4,
      retry: false,
      onProgress: (progress) => {
        if (progress.failed > 0) healed ??= cut.remove();
      },
    });
    await (healed ?? cut.remove());
    const unknown = [...first.errors.values()].filter(
      (error) => RedisConnectionError.isInstance(error) && error.outcome === "unknown",
    );
    expect(unknown.length).toBeGreaterThan(0);
    expect(first.written).toBeGreaterThan(0);
    expect(first.retryableKeys().length).toBe(first.failed);

    const retry = await writeHashes(proxied.conn, frame.filter(pl.col("_key").isIn(first.retryableKeys())));
    expect(retry.isCompleteSuccess()).toBe(true);
    expect(await redis.conn.call("DBSIZE")).toBe(2000);
    await expectWhole(redis.conn, 2000);
  });

  it("a server that stops answering times the keys out (unknown, retryable); the next write opens a new pipe", async () => {
    await writeHashes(proxied.conn, hashFrame(10));
    const hole = proxied.proxy.blackhole({ direction: "toClient" });
    const stuck = await writeHashes(proxied.conn, hashFrame(500), { retry: false });
    expect(stuck.failed).toBe(500);
    for (const error of stuck.errors.values()) {
      expect(RedisTimeoutError.isInstance(error)).toBe(true);
      expect((error as RedisTimeoutError).outcome).toBe("unknown");
      expect(error.retryable).toBe(true);
    }
    await hole.remove();
    const again = await writeHashes(proxied.conn, hashFrame(500));
    expect(again.isCompleteSuccess()).toBe(true);
    await expectWhole(redis.conn, 500);
  });

  it("many batches in flight on one signal add one abort listener, not one per batch", async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on("warning", onWarning);
    try {
      const controller = new AbortController();
      const result = await writeHashes(proxied.conn, hashFrame(5000), {
        batchSize: 50,
        parallel: 16,
        signal: controller.signal,
      });
      expect(result.written).toBe(5000);
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((warning) => warning.name === "MaxListenersExceededWarning")).toEqual([]);
    } finally {
      process.off("warning", onWarning);
    }
  });

  it("an abort mid-write rejects with the partial result and leaves the connection usable", async () => {
    const controller = new AbortController();
    proxied.proxy.latency({ latencyMs: 20, direction: "toClient" });
    const error = await writeHashes(proxied.conn, hashFrame(5000), {
      batchSize: 100,
      signal: controller.signal,
      onProgress: (progress) => {
        if (progress.written >= 300) controller.abort(new Error("stop"));
      },
    }).catch((failure: unknown) => failure);
    expect(WriteAbortedError.isInstance(error)).toBe(true);
    const partial = (error as WriteAbortedError).result;
    expect(partial.written).toBeGreaterThanOrEqual(300);
    expect(partial.written + partial.failed).toBe(5000);
    await proxied.proxy.clearFaults();
    const rest = await writeHashes(
      proxied.conn,
      hashFrame(5000).filter(pl.col("_key").isIn(partial.failedKeys())),
    );
    expect(rest.isCompleteSuccess()).toBe(true);
    await expectWhole(redis.conn, 5000);
  });
});

describe("raw pipe: review findings", () => {
  it("a date or datetime Polars cannot format fails before anything is written, naming the column", async () => {
    const n = 20_000;
    const frame = pl
      .DataFrame({
        _key: Array.from({ length: n }, (_, i) => `k:${i}`),
        at: Array.from({ length: n }, (_, i) => (i === 4100 ? 9e15 : 1.7e12 + i)),
      })
      .withColumns(pl.col("at").cast(pl.Datetime("ms", "Europe/Paris")));
    const error = await writeHashes(redis.conn, frame).catch((failure: unknown) => failure);
    expect(InvalidArgumentError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('"at"');
    expect(await redis.conn.call("DBSIZE")).toBe(0);
  });

  it("MULTI refused by an ACL: every key of the group reports the refusal, not a success", async () => {
    await redis.conn.call("ACL", "SETUSER", "nomulti", "on", ">pw", "~*", "+@all", "-multi");
    const restricted = await connect(redis.server.url.replace("redis://", "redis://nomulti:pw@"));
    try {
      const result = await writeHashes(restricted, hashFrame(150), { retry: false });
      expect(result.failed).toBe(150);
      for (const error of result.errors.values()) {
        expect((error as RedisCommandError).redisCode).toBe("NOPERM");
        expect(error.retryable).toBe(false);
      }
      // Append needs no MULTI: the same user writes fine.
      expect((await writeHashes(restricted, hashFrame(150), { ifExists: "append" })).written).toBe(150);
    } finally {
      await restricted.close();
      await redis.conn.call("ACL", "DELUSER", "nomulti");
    }
  });
});

describe("column names Polars reads as patterns", () => {
  it("refuses a frame whose field name is a regex instead of writing values under other names", async () => {
    const frame = pl.DataFrame({ _key: ["p:1"], "^a.*$": ["x"], ab: ["y"] });
    const error = await writeHashes(redis.conn, frame).catch((failure: unknown) => failure);
    expect(InvalidArgumentError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain("pattern");
    expect(await redis.conn.call("DBSIZE")).toBe(0);
  });
});
