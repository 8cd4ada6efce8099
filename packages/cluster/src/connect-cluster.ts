import { connect, InvalidArgumentError, RedisCommandError, RedisConnectionError } from "@polars-redis/core";
import {
  checkOptions,
  optionNames,
  type ResolvedRetryPolicy,
  resolveRetryPolicy,
  withLegacyReplies,
} from "@polars-redis/core/internal";
import { Cluster, type ClusterOptions, type RedisOptions } from "ioredis";
import type { RedirectPolicy } from "./batch/redirect-policy.js";
import { ClusterConnection } from "./cluster-connection.js";
import { ClusterEventLog } from "./cluster-events.js";
import type { ConnectClusterOptions } from "./cluster-options.js";
import { type ClusterSeed, type ParsedSeeds, parseSeeds } from "./seeds.js";
import { ClusterTopology } from "./topology/cluster-topology.js";
import type { NodeAddress } from "./topology/node-address.js";
import { NodePool } from "./topology/node-pool.js";

/**
 * Node connection defaults on top of core's (RESP2, no automatic re-send of in-flight commands): a command
 * for a node that is down fails after one reconnect attempt as "not sent", so the cluster layer can wait for
 * the failover and re-drive it on the new master instead of queueing behind a dead address.
 */
const NODE_DEFAULTS: RedisOptions = {
  maxRetriesPerRequest: 1,
  retryStrategy: (attempt: number) => Math.min(50 * attempt, 500),
};

/** The option names of connectCluster, kept complete by the compiler. */
const CLUSTER_OPTIONS = optionNames<ConnectClusterOptions>()([
  "connectTimeoutMs",
  "commandTimeoutMs",
  "clientName",
  "redisOptions",
  "natMap",
  "maxRedirections",
  "retryWindowMs",
  "retry",
  "retryDelayMs",
  "topologyTimeoutMs",
  "scanConcurrency",
  "scanDeduplication",
  "pipelinesPerNode",
  "ioredis",
  "onEvent",
]);

/** How waits through failovers, CLUSTERDOWN and TRYAGAIN back off unless `retry` says otherwise. */
const CLUSTER_BACKOFF: ResolvedRetryPolicy = {
  attempts: Number.POSITIVE_INFINITY,
  initialDelayMs: 100,
  maxDelayMs: 1000,
  multiplier: 2,
  jitter: "equal",
};

/**
 * Opens a RedisConnection (kind "cluster") to Redis Cluster from seed nodes (URLs with credentials and TLS,
 * "host:port" strings, {host, port} objects) or from an ioredis `Cluster` the application already has, whose
 * startup nodes and options (redisOptions, natMap, ...) are reused; that Cluster itself is left untouched.
 * Credentials, TLS and natMap apply to every node the cluster reveals, not only to the seeds.
 */
export async function connectCluster(
  target: ClusterSeed | readonly ClusterSeed[] | Cluster,
  options: ConnectClusterOptions = {},
): Promise<ClusterConnection> {
  validate(options);
  let seeds: ParsedSeeds;
  let clusterOptions: ClusterOptions = {};
  if (isIoredisCluster(target)) {
    seeds = seedsOfCluster(target);
    clusterOptions = target.options;
  } else {
    seeds = parseSeeds(target as ClusterSeed | readonly ClusterSeed[]);
  }
  const ioredis: ClusterOptions = { ...clusterOptions, ...options.ioredis };
  const merged: RedisOptions = {
    ...NODE_DEFAULTS,
    ...seeds.fromUrls,
    ...ioredis.redisOptions,
    ...options.redisOptions,
    // The reply shapes the engine parses, and the at-most-once rule for lost connections: not negotiable.
    protocol: 2,
    autoResendUnfulfilledCommands: false,
    db: 0,
  };
  const redisOptions = withLegacyReplies(merged, "redisOptions.replyMapping");
  const policy: RedirectPolicy = {
    maxRedirections: options.maxRedirections ?? ioredis.maxRedirections ?? 16,
    retryWindowMs: options.retryWindowMs ?? 30_000,
    backoff: resolveRetryPolicy(
      { initialDelayMs: options.retryDelayMs ?? ioredis.retryDelayOnTryAgain ?? 100, ...options.retry },
      { defaults: CLUSTER_BACKOFF, argument: "retry" },
    ),
    pipelinesPerNode: options.pipelinesPerNode ?? 4,
    defaultChunkSize: 1000,
  };
  const natMap = options.natMap ?? ioredis.natMap;
  const topologyTimeoutMs = options.topologyTimeoutMs ?? ioredis.slotsRefreshTimeout ?? 2000;

  const open = async (addresses: readonly NodeAddress[]): Promise<ClusterConnection> => {
    const pool = new NodePool((address) =>
      connect(
        { ...redisOptions, host: address.host, port: address.port },
        {
          connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
          commandTimeoutMs: options.commandTimeoutMs ?? 30_000,
          ...(options.clientName === undefined ? {} : { clientName: options.clientName }),
        },
      ),
    );
    const events = new ClusterEventLog(options.onEvent);
    const topology = new ClusterTopology(pool, {
      seeds: addresses,
      natMap,
      refreshTimeoutMs: topologyTimeoutMs,
      events,
    });
    try {
      await topology.refresh();
    } catch (error) {
      await pool.close();
      throw explainConnectFailure(error, addresses);
    }
    const connection: ClusterConnection = new ClusterConnection({
      topology,
      pool,
      events,
      policy,
      scanConcurrency: options.scanConcurrency ?? 4,
      scanDeduplication: options.scanDeduplication ?? true,
      reopen: () => open(topology.knownAddresses()),
      pubSubClient: () =>
        new Cluster(
          topology.knownAddresses().map((address) => ({ host: address.host, port: address.port })),
          {
            lazyConnect: true,
            shardedSubscribers: true,
            maxRedirections: policy.maxRedirections,
            ...(natMap === undefined ? {} : { natMap }),
            redisOptions: {
              ...redisOptions,
              maxRetriesPerRequest: null,
              autoResendUnfulfilledCommands: true,
            },
          },
        ),
      commandTimeoutMs: options.commandTimeoutMs ?? 30_000,
      rawEndpointFor: (address) => ({
        host: address.host,
        port: address.port,
        ...(redisOptions.username === undefined ? {} : { username: redisOptions.username }),
        ...(redisOptions.password === undefined ? {} : { password: redisOptions.password }),
        ...(redisOptions.tls === undefined ? {} : { tls: redisOptions.tls }),
        connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
      }),
    });
    return connection;
  };
  return open(seeds.addresses);
}

function validate(options: ConnectClusterOptions): void {
  checkOptions(options, CLUSTER_OPTIONS, { function: "connectCluster" });
  const retry: unknown = options.retry;
  if (retry !== undefined) {
    if (retry === null || typeof retry !== "object" || Array.isArray(retry)) {
      throw new InvalidArgumentError(
        "retry",
        "expected a retry policy { initialDelayMs, maxDelayMs, multiplier, jitter }",
      );
    }
    if ("attempts" in retry) {
      throw new InvalidArgumentError(
        "retry.attempts",
        "cluster waits are bounded by retryWindowMs, not by a number of attempts: set retryWindowMs instead",
      );
    }
  }
  const positive: Array<keyof ConnectClusterOptions> = [
    "connectTimeoutMs",
    "retryDelayMs",
    "topologyTimeoutMs",
    "scanConcurrency",
    "pipelinesPerNode",
  ];
  for (const name of positive) {
    const value = options[name];
    if (value !== undefined && !(typeof value === "number" && Number.isFinite(value) && value > 0)) {
      throw new InvalidArgumentError(name, `must be a positive number, got ${String(value)}`);
    }
  }
  const nonNegative: Array<keyof ConnectClusterOptions> = [
    "commandTimeoutMs",
    "retryWindowMs",
    "maxRedirections",
  ];
  for (const name of nonNegative) {
    const value = options[name];
    if (value !== undefined && !(typeof value === "number" && Number.isFinite(value) && value >= 0)) {
      throw new InvalidArgumentError(name, `must be a number >= 0, got ${String(value)}`);
    }
  }
}

function isIoredisCluster(target: unknown): target is Cluster {
  return (
    typeof target === "object" &&
    target !== null &&
    !Array.isArray(target) &&
    (target as { isCluster?: unknown }).isCluster === true
  );
}

/** The nodes an application's ioredis Cluster knows (all of them once connected, else its startup nodes). */
function seedsOfCluster(cluster: Cluster): ParsedSeeds {
  const known = cluster.status === "ready" ? cluster.nodes("all") : [];
  if (known.length > 0) {
    return {
      addresses: known.map((node) => ({
        host: node.options.host ?? "localhost",
        port: node.options.port ?? 6379,
      })),
      fromUrls: {},
    };
  }
  const startupNodes = (cluster as unknown as { startupNodes?: unknown[] }).startupNodes ?? [];
  const seeds: ClusterSeed[] = startupNodes.map((node) => {
    if (typeof node === "number") return { host: "localhost", port: node };
    if (typeof node === "string")
      return /^\d+$/.test(node) ? { host: "localhost", port: Number(node) } : node;
    const { host, port } = node as { host?: string; port?: number | string };
    return { host: host ?? "localhost", port: Number(port ?? 6379) };
  });
  return parseSeeds(seeds);
}

function explainConnectFailure(error: unknown, seeds: readonly NodeAddress[]): unknown {
  const tried = seeds.map((seed) => `${seed.host}:${seed.port}`).join(", ");
  if (RedisCommandError.isInstance(error) && /cluster support disabled/i.test(error.message)) {
    return new InvalidArgumentError(
      "seeds",
      `${tried}: this server does not run in cluster mode; use connect() from @polars-redis/core`,
      error,
    );
  }
  if (RedisConnectionError.isInstance(error)) {
    return new RedisConnectionError({
      message: `cannot open a cluster connection from seeds ${tried}: ${error.message}`,
      outcome: "rejected",
      cause: error,
    });
  }
  return error;
}
