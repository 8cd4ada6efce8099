import type { RedisConnection } from "../connection/redis-connection.js";
import { InvalidArgumentError } from "../errors/invalid-argument-error.js";
import { describeValue, isPromiseLike, looksLikeDataFrame } from "./describe-value.js";

/** A RedisConnection (connect(), connectCluster() or any object implementing the interface), by shape. */
export function isRedisConnection(value: unknown): value is RedisConnection {
  if (value == null || typeof value !== "object") return false;
  const candidate = value as Partial<Record<keyof RedisConnection, unknown>>;
  return (
    (candidate.kind === "standalone" || candidate.kind === "cluster") &&
    typeof candidate.call === "function" &&
    typeof candidate.batch === "function" &&
    typeof candidate.scanKeys === "function" &&
    typeof candidate.close === "function"
  );
}

/**
 * Throws an InvalidArgumentError unless `value` is a RedisConnection, with a hint for the usual mistakes:
 * arguments swapped (a DataFrame first, as in Python's `write_hashes(df, url)`), a raw ioredis or
 * node-redis client, a URL string, or a Promise from `connect()` that was not awaited.
 */
export function checkConnection(
  value: unknown,
  where: { function: string; argument?: string; usage?: string },
): asserts value is RedisConnection {
  if (isRedisConnection(value)) return;
  const argument = where.argument ?? "connection";
  const usage = where.usage ? ` (usage: ${where.usage})` : "";
  let hint = "";
  if (looksLikeDataFrame(value)) {
    hint = "; the connection comes first, then the frame";
  } else if (isPromiseLike(value)) {
    hint = "; await connect(...) first";
  } else if (typeof value === "string") {
    hint = "; open one first: const connection = await connect(url)";
  } else if (value != null && typeof value === "object") {
    const client = value as { pipeline?: unknown; sendCommand?: unknown; isOpen?: unknown };
    if (typeof client.pipeline === "function") hint = "; wrap the ioredis client: await connect(client)";
    else if (typeof client.sendCommand === "function" && "isOpen" in client) {
      hint = "; this looks like a node-redis client, which is not supported: pass a URL to connect() instead";
    }
  }
  throw new InvalidArgumentError(
    argument,
    `${where.function} expected a RedisConnection (from connect() or connectCluster()), got ${describeValue(value)}${hint}${usage}`,
  );
}

/**
 * Throws an InvalidArgumentError unless `value` is a nodejs-polars DataFrame, with a hint when it is a plain
 * object of columns (`{ _key: [...] }`: wrap it in pl.DataFrame) or a connection (arguments swapped).
 */
export function checkDataFrame(
  value: unknown,
  where: { function: string; argument?: string; usage?: string },
): void {
  if (looksLikeDataFrame(value)) return;
  const argument = where.argument ?? "frame";
  const usage = where.usage ? ` (usage: ${where.usage})` : "";
  let hint = "";
  if (isRedisConnection(value)) hint = "; the connection comes first, then the frame";
  else if (isPromiseLike(value)) hint = "; a LazyFrame needs .collect() awaited first";
  else if (isLazyFrame(value)) hint = "; this is a LazyFrame: pass await lazyFrame.collect()";
  else if (value != null && typeof value === "object" && !Array.isArray(value)) {
    hint = "; build a frame from columns with pl.DataFrame({ ... })";
  } else if (Array.isArray(value)) hint = "; build a frame from rows with pl.DataFrame(rows)";
  throw new InvalidArgumentError(
    argument,
    `${where.function} expected a nodejs-polars DataFrame, got ${describeValue(value)}${hint}${usage}`,
  );
}

function isLazyFrame(value: unknown): boolean {
  return (
    value != null &&
    typeof value === "object" &&
    typeof (value as { collect?: unknown }).collect === "function" &&
    typeof (value as { height?: unknown }).height !== "number"
  );
}
