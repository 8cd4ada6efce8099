import {
  connect,
  type RedisCommandError,
  type RedisConnection,
  RedisConnectionError,
  RedisTimeoutError,
} from "@polars-redis/core";
import { createWrongTypeConflict, forceOutOfMemory, RecordingConnection } from "@polars-redis/testkit";
import { useRedisConnection } from "@polars-redis/testkit/vitest";
import pl from "nodejs-polars";
import { describe, expect, it } from "vitest";
import {
  AmbiguousWriteError,
  type WriteProgress,
  writeHashes,
  writeLists,
  writeStreams,
} from "../src/index.js";
import { useProxiedConnection } from "./fixtures/proxied-connection.js";

const redis = useRedisConnection({ connect, flushBeforeEach: true });

function hashFrame(count: number, valueBytes = 16): pl.DataFrame {
  const keys = Array.from({ length: count }, (_, i) => `h:${i}`);
  const pad = "x".repeat(valueBytes);
  return pl.DataFrame({
    _key: keys,
    a: keys.map((key) => `${key}:${pad}`),
    b: keys.map((_, i) => String(i)),
  });
}

async function hgetall(connection: RedisConnection, key: string): Promise<string[]> {
  return (await connection.call("HGETALL", key)) as string[];
}

/**
 * How many times each key was sent in a script call (EVALSHA/EVAL numkeys key...), leaving out the calls the
 * server refused with NOSCRIPT (they are re-sent with EVAL and do not count as sent).
 */
function scriptKeyCounts(recording: RecordingConnection): Map<string, number> {
  const counts = new Map<string, number>();
  recording.commands.forEach(([name, , numkeys, ...rest], index) => {
    const reply = recording.replies[index];
    if (name !== "EVALSHA" && name !== "EVAL") return;
    if (reply instanceof Error && reply.message.startsWith("NOSCRIPT")) return;
    for (const key of rest.slice(0, Number(numkeys))) counts.set(key, (counts.get(key) ?? 0) + 1);
  });
  return counts;
}

describe("WRONGTYPE on some keys", () => {
  it("fails exactly those keys, writes the rest once, and a retry sends only the failed ones", async () => {
    const frame = hashFrame(300);
    for (const key of ["h:7", "h:150", "h:299"])
      await createWrongTypeConflict(redis.server, key, { as: "list" });
    const recording = new RecordingConnection({ inner: redis.conn });

    const first = await writeHashes(recording, frame, { ifExists: "append", batchSize: 64 });
    expect(first.written).toBe(297);
    expect(first.failedKeys().sort()).toEqual(["h:150", "h:299", "h:7"]);
    for (const error of first.errors.values()) {
      expect((error as RedisCommandError).redisCode).toBe("WRONGTYPE");
      expect((error as RedisCommandError).outcome).toBe("rejected");
      expect(error.retryable).toBe(false);
    }
    // Not retryable: the writer's own retries (3 attempts by default) sent nothing again.
    const sentAgain = [...scriptKeyCounts(recording)].filter(([, count]) => count !== 1);
    expect(sentAgain, "keys sent more than once").toEqual([]);
    expect(scriptKeyCounts(recording).size).toBe(300);

    // The caller fixes the conflict and retries the failed keys alone.
    await redis.conn.call("DEL", ...first.failedKeys());
    const failed = first.failedKeys();
    const retry = await writeHashes(recording, frame.filter(pl.col("_key").isIn(failed)), {
      ifExists: "append",
    });
    expect(retry.written).toBe(3);
    const counts = scriptKeyCounts(recording);
    for (const [key, count] of counts) expect(count, key).toBe(failed.includes(key) ? 2 : 1);
    expect(await hgetall(redis.conn, "h:150")).toEqual(["a", `h:150:${"x".repeat(16)}`, "b", "150"]);
  });
});

describe("OOM mid-batch", () => {
  it("reports the refused keys as retryable OOM failures; nothing is half-written", async () => {
    const frame = hashFrame(3000, 200);
    const oom = await forceOutOfMemory(redis.server, { headroomBytes: 300_000 });
    try {
      const result = await writeHashes(redis.conn, frame, { retry: false, batchSize: 100 });
      expect(result.written).toBeGreaterThan(0);
      expect(result.failed).toBeGreaterThan(0);
      expect(result.written + result.failed).toBe(3000);
      for (const error of result.errors.values()) {
        expect((error as RedisCommandError).redisCode).toBe("OOM");
        expect(error.retryable).toBe(true);
      }
      expect(result.retryableKeys().length).toBe(result.failed);
      // Refused keys were not touched: scripts check memory before their first write.
      const refused = result.failedKeys().slice(0, 20);
      for (const key of refused) expect(await redis.conn.call("EXISTS", key)).toBe(0);
    } finally {
      await oom.restore();
    }
  });

  it("retries only the refused keys once memory frees, until every key is written", async () => {
    const frame = hashFrame(3000, 200);
    const recording = new RecordingConnection({ inner: redis.conn });
    const oom = await forceOutOfMemory(redis.server, { headroomBytes: 300_000 });
    let firstPass: WriteProgress | undefined;
    let freed: Promise<void> | undefined;
    try {
      const result = await writeHashes(recording, frame, {
        batchSize: 100,
        retry: { attempts: 20, initialDelayMs: 20, maxDelayMs: 200 },
        onProgress: (progress) => {
          // When the first pass is over, free memory (the retry waits its backoff meanwhile).
          if (progress.attempt === 1 && progress.written + progress.failed === progress.total && !freed) {
            firstPass = progress;
            freed = oom.restore();
          }
        },
      });
      await freed;
      expect(firstPass!.failed).toBeGreaterThan(0);
      expect(result.isCompleteSuccess()).toBe(true);
      expect(result.written).toBe(3000);
      const counts = scriptKeyCounts(recording);
      const resent = [...counts.values()].filter((count) => count > 1).length;
      // Keys written on the first pass were never sent again; only refused ones were.
      expect(resent).toBeLessThanOrEqual(firstPass!.failed);
      expect([...counts.values()].reduce((sum, count) => sum + count, 0)).toBeLessThan(
        3000 + firstPass!.failed * 20,
      );
      expect(await redis.conn.call("DBSIZE")).toBe(3000);
    } finally {
      await oom.restore();
    }
  });
});

describe("connection dropped mid-pipeline (fault proxy)", () => {
  const proxied = useProxiedConnection(redis, { commandTimeoutMs: 10_000 });

  it("marks unanswered keys unknown; a retry converges with no duplicate stream entries", async () => {
    const streams = 200;
    const perStream = 20;
    const keys: string[] = [];
    const ids: string[] = [];
    const values: string[] = [];
    for (let s = 0; s < streams; s++) {
      for (let e = 0; e < perStream; e++) {
        keys.push(`st:${s}`);
        ids.push(`${1000 + e}-${s}`);
        values.push(`v${s}.${e}`);
      }
    }
    const frame = pl.DataFrame({ _key: keys, id: ids, v: values });
    const options = { idColumn: "id", batchSize: 20, parallel: 4, retry: false } as const;

    // Cut the replies once, mid-pipeline; the first failed batch switches the fault off again.
    const cut = proxied.proxy.closeAfterBytes({ bytes: 600, direction: "toClient" });
    let healed: Promise<void> | undefined;
    const first = await writeStreams(proxied.conn, frame, {
      ...options,
      onProgress: (progress) => {
        if (progress.failed > 0) healed ??= cut.remove();
      },
    });
    await (healed ?? cut.remove());

    const unknown = [...first.errors.values()].filter(
      (error) =>
        (RedisConnectionError.isInstance(error) || RedisTimeoutError.isInstance(error)) &&
        error.outcome === "unknown",
    );
    expect(unknown.length).toBeGreaterThan(0);
    expect(first.written).toBeGreaterThan(0);
    expect(first.retryableKeys().length).toBe(first.failed);

    // Some "unknown" entries were applied before the reply was cut: replaying them must not add them twice.
    const retryKeys = first.retryableKeys();
    const retry = await writeStreams(proxied.conn, frame.filter(pl.col("_key").isIn(retryKeys)), options);
    expect(retry.isCompleteSuccess()).toBe(true);
    for (let s = 0; s < streams; s++) {
      const entries = (await redis.conn.call("XRANGE", `st:${s}`, "-", "+")) as [string, string[]][];
      expect(
        entries.map(([id]) => id),
        `st:${s}`,
      ).toEqual(Array.from({ length: perStream }, (_, e) => `${1000 + e}-${s}`));
    }
  });

  it("never re-sends a non-idempotent list append whose reply was lost", async () => {
    const keys = Array.from({ length: 400 }, (_, i) => `l:${i}`);
    const frame = pl.DataFrame({ _key: keys, element: keys });
    const cut = proxied.proxy.closeAfterBytes({ bytes: 40, direction: "toClient" });
    let healed: Promise<void> | undefined;
    const result = await writeLists(proxied.conn, frame, {
      ifExists: "append",
      batchSize: 20,
      parallel: 4,
      onProgress: (progress) => {
        if (progress.failed > 0) healed ??= cut.remove();
      },
    });
    await (healed ?? cut.remove());
    const ambiguous = [...result.errors.values()].filter((error) => AmbiguousWriteError.isInstance(error));
    expect(ambiguous.length).toBeGreaterThan(0);
    for (const error of ambiguous) {
      expect(error.retryable).toBe(false);
      expect((error as AmbiguousWriteError).outcome).toBe("unknown");
    }
    // Whatever happened, no list got its element twice (the default retry policy did not replay them).
    for (const key of keys) expect(await redis.conn.call("LLEN", key)).toBeLessThanOrEqual(1);
  });
});
