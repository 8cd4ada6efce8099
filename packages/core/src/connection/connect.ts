import { isIP } from "node:net";
import { Redis, type RedisOptions } from "ioredis";
import { InvalidArgumentError } from "../errors/invalid-argument-error.js";
import { checkOptions } from "../validation/check-options.js";
import { describeValue, isPromiseLike } from "../validation/describe-value.js";
import { closestName } from "../validation/did-you-mean.js";
import { optionNames } from "../validation/option-names.js";
import { adoptConnection, openConnection } from "./ioredis-connection.js";
import { withLegacyReplies } from "./legacy-replies.js";
import { parseRedisUrl } from "./parse-redis-url.js";
import type { RedisConnection } from "./redis-connection.js";

export interface ConnectOptions {
  /** Give up opening the connection after this long. [10000] */
  connectTimeoutMs?: number | undefined;
  /** A command without a reply after this long fails with a RedisTimeoutError. 0 disables. [30000] */
  commandTimeoutMs?: number | undefined;
  /** Sent as CLIENT SETNAME, so the connection is easy to find in CLIENT LIST. */
  clientName?: string | undefined;
  /** Any other ioredis option; it wins over the defaults above and over the URL. */
  ioredis?: RedisOptions | undefined;
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

const CONNECT_OPTIONS = optionNames<ConnectOptions>()([
  "connectTimeoutMs",
  "commandTimeoutMs",
  "clientName",
  "ioredis",
]);

/** ioredis's own option names (RedisOptions and its connectors'), for "did you mean" on a typo. */
const IOREDIS_OPTIONS: readonly string[] = [
  ...Object.keys((Redis as unknown as { defaultOptions?: object }).defaultOptions ?? {}),
  "host",
  "port",
  "path",
  "tls",
  "commandTimeout",
  "socketTimeout",
  "sentinelUsername",
  "sentinelPassword",
  "sentinelTLS",
  "sentinelCommandTimeout",
  "preferredSlaves",
  "showFriendlyErrorStack",
  "scripts",
  "monitor",
  "offlineQueue",
  "blockingTimeout",
  "Connector",
];

/** Options of other clients (node-redis) that ioredis would silently ignore, with what to write instead. */
const FOREIGN_OPTIONS: Record<string, string> = {
  url: "pass the URL itself: connect(url)",
  socket: "this is a node-redis option; ioredis takes { host, port, tls } at the top level, or use a URL",
  database: "ioredis calls it db",
  pingInterval: "not an ioredis option",
};

/**
 * Opens a RedisConnection to a standalone server, from a URL (`redis://`, `rediss://` for TLS, with user,
 * password and db), a `"host:port"` string, ioredis options (with `host`, `port`, `path` or `sentinels`:
 * never an implicit localhost:6379), or an ioredis client the application already has. Anything else (a
 * node-redis client, `{ url }`, an un-awaited promise) is refused with an InvalidArgumentError before any
 * socket is opened. An application's own
 * client is used as is, and not closed by `close()`, when it is safe for our guarantees (`protocol: 2` and
 * `autoResendUnfulfilledCommands: false`); otherwise we open and own a duplicate with the library's defaults.
 * For Redis Cluster use `connectCluster` from @polars-redis/cluster.
 */
export async function connect(
  target: string | RedisOptions | Redis,
  options: ConnectOptions = {},
): Promise<RedisConnection> {
  checkOptions(options, CONNECT_OPTIONS, { function: "connect" });
  if (isIoredisClient(target)) return wrapClient(target, options);
  const fromTarget: RedisOptions =
    typeof target === "string" ? stringToOptions(target) : checkIoredisOptions(target);
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
  const client = new Redis(withLegacyReplies(redisOptions));
  return openConnection(client, { host: redisOptions.host ?? "localhost", port: redisOptions.port ?? 6379 });
}

const TARGETS =
  'a redis:// or rediss:// URL, "host:port", ioredis options ({ host, port, ... }) or an ioredis client';

/** A URL, or "host:port" / "[ipv6]:port" as connectCluster accepts them. */
function stringToOptions(target: string): RedisOptions {
  const hostPort = /^(\[[0-9a-fA-F:.]+\]|[^\s:/@[\]]+):(\d{1,5})$/.exec(target);
  if (hostPort) {
    const port = Number(hostPort[2]);
    if (port < 1 || port > 65535) {
      throw new InvalidArgumentError("target", `${JSON.stringify(target)} has an invalid port`);
    }
    return { host: hostPort[1]!.replace(/^\[(.*)\]$/, "$1"), port };
  }
  return urlToOptions(target);
}

/**
 * ioredis options, checked: ioredis would take any object (a node-redis client, `{ url }`) and connect to
 * localhost:6379, which in production is someone else's Redis.
 */
function checkIoredisOptions(target: unknown): RedisOptions {
  if (target === null || typeof target !== "object" || Array.isArray(target) || isPromiseLike(target)) {
    throw new InvalidArgumentError("target", `connect expected ${TARGETS}, got ${describeValue(target)}`);
  }
  const candidate = target as Record<string, unknown>;
  if (typeof candidate.sendCommand === "function" || typeof candidate.sendCommand === "object") {
    throw new InvalidArgumentError(
      "target",
      "this looks like a node-redis client, which polars-redis cannot use: pass its URL to connect() instead (or an ioredis client)",
    );
  }
  if (typeof candidate.batch === "function" && typeof candidate.scanKeys === "function") {
    throw new InvalidArgumentError("target", "this is already a RedisConnection: use it directly");
  }
  for (const [key, hint] of Object.entries(FOREIGN_OPTIONS)) {
    if (candidate[key] !== undefined) {
      throw new InvalidArgumentError(
        `target.${key}`,
        `ioredis has no option ${JSON.stringify(key)}: ${hint}`,
      );
    }
  }
  for (const key of Object.keys(candidate)) {
    if (IOREDIS_OPTIONS.includes(key)) continue;
    const close = closestName(key, IOREDIS_OPTIONS);
    if (close !== undefined) {
      throw new InvalidArgumentError(
        `target.${key}`,
        `unknown ioredis option; did you mean ${JSON.stringify(close)}?`,
      );
    }
  }
  if (
    candidate.host === undefined &&
    candidate.port === undefined &&
    candidate.path === undefined &&
    candidate.sentinels === undefined
  ) {
    throw new InvalidArgumentError(
      "target",
      `ioredis options without host, port, path or sentinels would connect to localhost:6379 implicitly: name the server ({ host: "localhost", port: 6379 }) or pass a URL (got ${describeValue(target)})`,
    );
  }
  return candidate as RedisOptions;
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
