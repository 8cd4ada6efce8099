import { Redis } from "ioredis";

/**
 * Runs `use` on a fresh, short-lived connection to one node and closes it. No retries and no offline queue:
 * a node that is down fails fast, and the caller (a poll loop) decides what that means. RESP2 keeps INFO and
 * CLUSTER NODES replies plain strings.
 */
export async function withAdminConnection<T>(
  host: string,
  port: number,
  use: (redis: Redis) => Promise<T>,
  timeoutMs = 3_000,
): Promise<T> {
  const redis = new Redis({
    host,
    port,
    protocol: 2,
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
  });
  redis.on("error", () => {
    // Surfaced through the failing command instead.
  });
  try {
    await redis.connect();
    return await use(redis);
  } finally {
    redis.disconnect();
  }
}

/** `cmd` and its arguments as one string reply (INFO, CLUSTER NODES, ...). */
export async function callForString(redis: Redis, command: string, ...args: string[]): Promise<string> {
  const reply = await redis.call(command, ...args);
  return Buffer.isBuffer(reply) ? reply.toString("utf8") : String(reply);
}
