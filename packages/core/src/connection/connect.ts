import { isIP } from "node:net";
import { Redis, type RedisOptions } from "ioredis";
import { InvalidArgumentError } from "../errors/invalid-argument-error.js";
import { adoptConnection, openConnection } from "./ioredis-connection.js";
import { parseRedisUrl } from "./parse-redis-url.js";
import type { RedisConnection } from "./redis-connection.js";

export interface ConnectOptions {
  /** Give up opening the connection after this long. [10000] */
  connectTimeoutMs?: number;
  /** A command without a reply after this long fails with a RedisTimeoutError. 0 disables. [30000] */
  commandTimeoutMs?: number;
  /** Sent as CLIENT SETNAME, so the connection is easy to find in CLIENT LIST. */
  clientName?: string;
  /** Any other ioredis option; it wins over the defaults above and over the URL. */
  ioredis?: RedisOptions;
}

/**
 * The defaults this library relies on, and why:
 * - RESP2 replies, whose shapes the scan engine parses (RESP3 nests WITHSCORES pairs, for example);
 * - no automatic re-send of commands that were in flight when a connection dropped: a re-sent XADD or RPUSH
 *   would be applied twice behind the caller's back; instead those commands fail with outcome "unknown";
 * - a command waits for at most 5 reconnect attempts, then fails as not sent, so an outage surfaces as an
 *   error the caller's retry policy can handle instead of an endless wait.
 */
const LIBRARY_DEFAULTS: RedisOptions = {
  protocol: 2,
  lazyConnect: true,
  autoResendUnfulfilledCommands: false,
  maxRetriesPerRequest: 5,
  retryStrategy: (attempt: number) => Math.min(50 * 2 ** attempt, 2000),
};

/**
 * Opens a RedisConnection to a standalone server, from a URL (`redis://`, `rediss://` for TLS, with user,
 * password and db), ioredis options, or an ioredis client the application already has. An application's own
 * client is used as is, and not closed by `close()`, when it is safe for our guarantees (`protocol: 2` and
 * `autoResendUnfulfilledCommands: false`); otherwise we open and own a duplicate with the library's defaults.
 * For Redis Cluster use `connectCluster` from @polars-redis/cluster.
 */
export async function connect(
  target: string | RedisOptions | Redis,
  options: ConnectOptions = {},
): Promise<RedisConnection> {
  if (isIoredisClient(target)) return wrapClient(target, options);
  if (target == null || (typeof target !== "string" && typeof target !== "object")) {
    throw new InvalidArgumentError("target", "expected a redis:// URL, ioredis options or an ioredis client");
  }
  const fromTarget: RedisOptions = typeof target === "string" ? urlToOptions(target) : target;
  const redisOptions: RedisOptions = {
    ...LIBRARY_DEFAULTS,
    connectTimeout: options.connectTimeoutMs ?? 10_000,
    commandTimeout: options.commandTimeoutMs ?? 30_000,
    ...(options.clientName === undefined ? {} : { connectionName: options.clientName }),
    ...fromTarget,
    ...options.ioredis,
    lazyConnect: true,
  };
  if (redisOptions.commandTimeout === 0) delete redisOptions.commandTimeout;
  checkRetriesPerRequest(redisOptions.maxRetriesPerRequest);
  const client = new Redis(redisOptions);
  return openConnection(client, { host: redisOptions.host ?? "localhost", port: redisOptions.port ?? 6379 });
}

function urlToOptions(url: string): RedisOptions {
  const parsed = parseRedisUrl(url);
  return {
    host: parsed.host,
    port: parsed.port,
    db: parsed.db,
    ...(parsed.username === undefined ? {} : { username: parsed.username }),
    ...(parsed.password === undefined ? {} : { password: parsed.password }),
    // SNI carries host names only (RFC 6066); for an IP address the certificate is checked against the IP.
    ...(parsed.tls ? { tls: isIP(parsed.host) === 0 ? { servername: parsed.host } : {} } : {}),
  };
}

function isIoredisClient(target: unknown): target is Redis {
  if (target instanceof Redis) return true;
  // Another installed copy of ioredis: recognise it by shape.
  const candidate = target as { pipeline?: unknown; duplicate?: unknown; options?: unknown } | null;
  return (
    candidate != null &&
    typeof candidate === "object" &&
    typeof candidate.pipeline === "function" &&
    typeof candidate.duplicate === "function" &&
    typeof candidate.options === "object"
  );
}

/**
 * With 0, ioredis rejects the commands in flight with MaxRetriesPerRequestError the moment a connection closes,
 * the same error as for commands that never left the offline queue: an applied write would be reported as
 * "not sent" and re-sent by a retry. From 1 up, in-flight commands are always failed as outcome "unknown" first.
 */
function checkRetriesPerRequest(value: number | null | undefined): void {
  if (typeof value === "number" && value >= 0 && value < 1) {
    throw new InvalidArgumentError(
      "maxRetriesPerRequest",
      "must be at least 1 (or null to wait for the connection indefinitely); 0 would misreport applied commands as not sent",
    );
  }
}

async function wrapClient(client: Redis, options: ConnectOptions): Promise<RedisConnection> {
  if ((client as unknown as { isCluster?: boolean }).isCluster) {
    throw new InvalidArgumentError(
      "target",
      "this is an ioredis Cluster; use connectCluster() from @polars-redis/cluster",
    );
  }
  const endpoint = { host: client.options.host ?? "localhost", port: client.options.port ?? 6379 };
  const safe = client.options.protocol === 2 && client.options.autoResendUnfulfilledCommands === false;
  if (!safe) {
    // RESP3 replies have other shapes, and a client that re-sends in-flight commands after a reconnect could
    // apply a write twice behind our back: talk through a twin with the library's defaults, which we own.
    const twin = client.duplicate({
      ...LIBRARY_DEFAULTS,
      connectTimeout: options.connectTimeoutMs ?? client.options.connectTimeout ?? 10_000,
      commandTimeout: options.commandTimeoutMs ?? client.options.commandTimeout ?? 30_000,
      ...options.ioredis,
      lazyConnect: true,
    });
    checkRetriesPerRequest(twin.options.maxRetriesPerRequest);
    return openConnection(twin, endpoint);
  }
  checkRetriesPerRequest(client.options.maxRetriesPerRequest);
  return adoptConnection(client);
}
