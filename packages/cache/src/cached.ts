import { createHash, randomBytes } from "node:crypto";
import {
  InvalidArgumentError,
  isCommandError,
  type RedisConnection,
  RedisTimeoutError,
} from "@polars-redis/core";
import { checkConnection, checkOptions, optionNames, replyAt } from "@polars-redis/core/internal";
import type pl from "nodejs-polars";
import type { CacheCompression, CacheFormat } from "./codec.js";
import { checkCompression, checkFormat } from "./codec.js";
import { checkKey, describe, entryKeys } from "./entry-keys.js";
import { cacheDataFrame, deleteCached, readFrame, readHeadInfo } from "./frame-cache.js";
import { hashArguments } from "./hash-arguments.js";
import { checkTempDir } from "./off-thread-codec.js";
import { checkChunkBytes, secondsToMs } from "./options.js";
import { EXTEND_LOCK, RELEASE_LOCK } from "./scripts.js";

type Computed = pl.DataFrame | pl.LazyDataFrame;

export interface CachedOptions<A extends unknown[]> {
  connection: RedisConnection;
  /** The function's identity in the key. [fn.name; required for anonymous functions] */
  name?: string | undefined;
  /**
   * Part of the key that changes when the function does. [a hash of the function's source text, so an edited
   * function never reads results of its old code]
   */
  version?: string | undefined;
  /** ["polars-redis:cached"] */
  keyPrefix?: string | undefined;
  /** Builds the argument part of the key yourself, instead of the content hash of the arguments. */
  key?: ((...args: A) => string) | undefined;
  /** Seconds a result stays fresh. [no expiry] */
  ttl?: number | undefined;
  /**
   * Seconds after `ttl` during which the old result is still returned at once while one process recomputes it
   * in the background. Needs `ttl`. [0]
   */
  staleWhileRevalidate?: number | undefined;
  /**
   * Seconds the computing process holds its lock without renewing it. It renews every third of this while it
   * computes; if it dies, another caller takes over once the lock expires. Must exceed the longest stretch the
   * function blocks the event loop (synchronous polars work). [30]
   */
  lockTtl?: number | undefined;
  /** Seconds a caller waits for another process's computation before failing with RedisTimeoutError. [300] */
  waitTimeout?: number | undefined;
  format?: CacheFormat | undefined;
  compression?: CacheCompression | undefined;
  chunkBytes?: number | undefined;
  /** Where polars encodes and decodes off the JS thread (see CacheWriteOptions.tempDir). */
  tempDir?: string | false | undefined;
  /** Called with the error of a background (stale-while-revalidate) refresh. [process warning] */
  onError?: ((error: unknown) => void) | undefined;
}

const CACHED_OPTION_NAMES = optionNames<CachedOptions<unknown[]>>()([
  "connection",
  "name",
  "version",
  "keyPrefix",
  "key",
  "ttl",
  "staleWhileRevalidate",
  "lockTtl",
  "waitTimeout",
  "format",
  "compression",
  "chunkBytes",
  "tempDir",
  "onError",
]);

export interface CachedFunction<A extends unknown[]> {
  /** The cached result, or the function's result (computed by one caller across every process). */
  (...args: A): Promise<pl.DataFrame>;
  /** Recomputes now (taking the lock) and stores the result, whatever is cached. */
  refresh(...args: A): Promise<pl.DataFrame>;
  /** Calls the function without reading or writing the cache. */
  skip(...args: A): Promise<pl.DataFrame>;
  /** Deletes the cached result for these arguments; true if there was one. */
  invalidate(...args: A): Promise<boolean>;
  isCached(...args: A): Promise<boolean>;
  /** The Redis key for these arguments. */
  keyFor(...args: A): Promise<string>;
  /** Resolves when the background refreshes started so far have finished. */
  idle(): Promise<void>;
}

const DEFAULT_PREFIX = "polars-redis:cached";
const DEFAULT_LOCK_TTL_S = 30;
const DEFAULT_WAIT_TIMEOUT_S = 300;
const FIRST_POLL_MS = 20;
const MAX_POLL_MS = 250;

/**
 * Memoises `fn` (returning a DataFrame, a LazyFrame that is collected, or a promise of either) in Redis, across
 * processes. The key is `<prefix>:<name>:<version>:<content hash of the arguments>`; DataFrame arguments are
 * hashed by content. On a miss, one caller takes a lock (SET NX PX, renewed while it computes) and computes;
 * the others poll until the result is published or the lock expires (its holder died), when one of them takes
 * over. Results are written with cacheDataFrame, so a reader sees one whole version.
 *
 * ```ts
 * const dailyReport = cached(async (day: string) => buildReport(day), { connection: conn, ttl: 3600 });
 * const frame = await dailyReport("2024-06-01");
 * ```
 */
export function cached<A extends unknown[]>(
  fn: (...args: A) => Computed | Promise<Computed>,
  options: CachedOptions<A>,
): CachedFunction<A> {
  if (typeof fn !== "function")
    throw new InvalidArgumentError("fn", `expected a function, got ${describe(fn)}`);
  checkOptions(options, CACHED_OPTION_NAMES, { function: "cached" });
  checkConnection(options?.connection, { function: "cached", argument: "connection" });
  const name = options.name ?? fn.name;
  if (typeof name !== "string" || name === "") {
    throw new InvalidArgumentError(
      "name",
      "an anonymous function needs options.name (its identity in the cache key)",
    );
  }
  if (options.key !== undefined && typeof options.key !== "function") {
    throw new InvalidArgumentError("key", `expected a function, got ${describe(options.key)}`);
  }
  const prefix = options.keyPrefix ?? DEFAULT_PREFIX;
  if (typeof prefix !== "string")
    throw new InvalidArgumentError("keyPrefix", `expected a string, got ${describe(prefix)}`);
  const version = options.version ?? createHash("sha256").update(fn.toString()).digest("hex").slice(0, 12);
  if (typeof version !== "string" || version === "") {
    throw new InvalidArgumentError("version", `expected a non-empty string, got ${describe(version)}`);
  }
  const ttlMs = secondsToMs(options.ttl, "ttl");
  const swrMs = secondsToMs(options.staleWhileRevalidate, "staleWhileRevalidate", { allowZero: true }) ?? 0;
  if (swrMs > 0 && ttlMs === undefined) {
    throw new InvalidArgumentError(
      "staleWhileRevalidate",
      "needs ttl (a result without expiry never goes stale)",
    );
  }
  const lockMs = secondsToMs(options.lockTtl ?? DEFAULT_LOCK_TTL_S, "lockTtl")!;
  const waitMs = secondsToMs(options.waitTimeout ?? DEFAULT_WAIT_TIMEOUT_S, "waitTimeout")!;
  const format = checkFormat(options.format);
  const compression = checkCompression(format, options.compression);
  const chunkBytes = checkChunkBytes(options.chunkBytes);
  const tempDir = checkTempDir(options.tempDir);
  // Check the key shape now (a "}" in name or prefix), not at the first call.
  checkKey(`${prefix}:${name}:${version}:0`, "name");
  const conn = options.connection;
  const background = new Set<Promise<void>>();

  const keyFor = async (args: A): Promise<string> => {
    let argumentPart: string;
    if (options.key) {
      argumentPart = options.key(...args);
      if (typeof argumentPart !== "string" || argumentPart === "") {
        throw new InvalidArgumentError(
          "key",
          `options.key must return a non-empty string, got ${describe(argumentPart)}`,
        );
      }
    } else {
      argumentPart = await hashArguments(args);
    }
    const key = `${prefix}:${name}:${version}:${argumentPart}`;
    checkKey(key);
    return key;
  };

  const compute = async (args: A): Promise<pl.DataFrame> => {
    const result = await fn(...args);
    const candidate = result as { collect?: unknown; writeIPC?: unknown } | null;
    if (candidate != null && typeof candidate.writeIPC === "function") return result as pl.DataFrame;
    if (candidate != null && typeof candidate.collect === "function")
      return (result as pl.LazyDataFrame).collect();
    throw new InvalidArgumentError(
      "fn",
      `${name} returned ${describe(result)}; a cached function must return a DataFrame or LazyFrame`,
    );
  };

  /** Computes and stores under the lock, renewing it meanwhile; releases it afterwards. */
  const computeAndStore = async (key: string, args: A, token: string): Promise<pl.DataFrame> => {
    const lock = entryKeys(key).lock;
    const renew = setInterval(
      () => {
        EXTEND_LOCK.run(conn, [lock], [token, lockMs]).catch(() => undefined);
      },
      Math.max(10, Math.floor(lockMs / 3)),
    );
    renew.unref();
    try {
      const frame = await compute(args);
      await cacheDataFrame(conn, key, frame, {
        format,
        compression,
        chunkBytes,
        tempDir,
        ...(ttlMs === undefined ? {} : { ttl: (ttlMs + swrMs) / 1000 }),
      });
      return frame;
    } finally {
      clearInterval(renew);
      await RELEASE_LOCK.run(conn, [lock], [token]).catch(() => undefined);
    }
  };

  const tryLock = async (key: string): Promise<string | undefined> => {
    const token = randomBytes(12).toString("hex");
    const reply = await conn.call("SET", entryKeys(key).lock, token, "NX", "PX", lockMs);
    return reply === "OK" ? token : undefined;
  };

  const isFresh = (pttl: number): boolean => swrMs === 0 || pttl === -1 || pttl > swrMs;

  const lookup = async (key: string): Promise<{ frame: pl.DataFrame; fresh: boolean } | undefined> => {
    const found = await readFrame(conn, key, { tempDir });
    if (found === null) return undefined;
    return { frame: found.frame, fresh: isFresh(found.pttl) };
  };

  const refreshInBackground = (key: string, args: A): void => {
    const task = (async () => {
      const token = await tryLock(key);
      if (token === undefined) return; // another process is refreshing it
      await computeAndStore(key, args, token);
    })().catch((error: unknown) => {
      if (options.onError) options.onError(error);
      else process.emitWarning(`cached(${name}): background refresh failed: ${(error as Error).message}`);
    });
    background.add(task);
    void task.finally(() => background.delete(task));
  };

  /** Waits until a fresh result is published or the lock is free; throws after waitTimeout. */
  const waitForOthers = async (key: string, deadline: number): Promise<void> => {
    const keys = entryKeys(key);
    let pause = FIRST_POLL_MS;
    for (;;) {
      if (Date.now() > deadline) {
        throw new RedisTimeoutError({
          message: `cached(${name}): waited ${waitMs / 1000} s for another process computing ${JSON.stringify(key)}; raise waitTimeout, or check the process holding ${JSON.stringify(keys.lock)}`,
          timeoutMs: waitMs,
        });
      }
      await new Promise((resolve) => setTimeout(resolve, pause));
      pause = Math.min(MAX_POLL_MS, Math.ceil(pause * 1.5));
      const replies = await conn.batch([
        ["PTTL", keys.head],
        ["EXISTS", keys.lock],
      ]);
      const pttl = replyAt(replies, 0);
      const locked = replyAt(replies, 1);
      if (isCommandError(pttl)) throw pttl;
      if (isCommandError(locked)) throw locked;
      const exists = Number(pttl) !== -2;
      if (exists && isFresh(Number(pttl))) return;
      if (Number(locked) === 0) return;
    }
  };

  const call = async (...args: A): Promise<pl.DataFrame> => {
    const key = await keyFor(args);
    const deadline = Date.now() + waitMs;
    for (;;) {
      const found = await lookup(key);
      if (found?.fresh) return found.frame;
      if (found) {
        refreshInBackground(key, args);
        return found.frame;
      }
      const token = await tryLock(key);
      if (token !== undefined) {
        // Another caller may have published between our lookup and our lock.
        const again = await readHeadInfo(conn, entryKeys(key)).catch(() => undefined);
        if (again !== undefined && isFresh(again.pttl)) {
          await RELEASE_LOCK.run(conn, [entryKeys(key).lock], [token]).catch(() => undefined);
          continue;
        }
        return computeAndStore(key, args, token);
      }
      await waitForOthers(key, deadline);
    }
  };

  const wrapped = call as CachedFunction<A>;
  wrapped.refresh = async (...args: A) => {
    const key = await keyFor(args);
    const deadline = Date.now() + waitMs;
    for (;;) {
      const token = await tryLock(key);
      if (token !== undefined) return computeAndStore(key, args, token);
      await waitForLockRelease(conn, entryKeys(key).lock, deadline, name, waitMs);
    }
  };
  wrapped.skip = (...args: A) => compute(args);
  wrapped.invalidate = async (...args: A) => deleteCached(conn, await keyFor(args));
  wrapped.isCached = async (...args: A) =>
    (await readHeadInfo(conn, entryKeys(await keyFor(args)))) !== undefined;
  wrapped.keyFor = (...args: A) => keyFor(args);
  wrapped.idle = async () => {
    while (background.size > 0) await Promise.allSettled([...background]);
  };
  Object.defineProperty(wrapped, "name", { value: `cached(${name})` });
  return wrapped;
}

async function waitForLockRelease(
  conn: RedisConnection,
  lock: string,
  deadline: number,
  name: string,
  waitMs: number,
): Promise<void> {
  let pause = FIRST_POLL_MS;
  while ((await conn.call("EXISTS", lock)) === 1) {
    if (Date.now() > deadline) {
      throw new RedisTimeoutError({
        message: `cached(${name}).refresh: waited ${waitMs / 1000} s for the lock ${JSON.stringify(lock)}`,
        timeoutMs: waitMs,
      });
    }
    await new Promise((resolve) => setTimeout(resolve, pause));
    pause = Math.min(MAX_POLL_MS, Math.ceil(pause * 1.5));
  }
}
