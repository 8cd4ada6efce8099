import type { RetryPolicy } from "@polars-redis/core";
import type { ClusterOptions, NatMap, RedisOptions } from "ioredis";
import type { ClusterEvent } from "./cluster-events.js";

export interface ConnectClusterOptions {
  /** Give up opening a node connection after this long. [10000] */
  connectTimeoutMs?: number | undefined;
  /** A command without a reply after this long fails with a RedisTimeoutError (outcome "unknown"). 0 disables. [30000] */
  commandTimeoutMs?: number | undefined;
  /** Sent as CLIENT SETNAME on every node connection. */
  clientName?: string | undefined;
  /**
   * ioredis options for every node connection: `username`, `password`, `tls`, ... (host and port come from
   * the cluster). They win over credentials and TLS taken from a seed URL.
   */
  redisOptions?: Omit<RedisOptions, "host" | "port"> | undefined;
  /** Addresses the cluster announces -> addresses this process must dial ("host:port" keys), as in ioredis. */
  natMap?: NatMap | undefined;
  /** MOVED/ASK hops one command may take before its redirect error is reported. [16] */
  maxRedirections?: number | undefined;
  /**
   * How long commands and scans wait through a failover, CLUSTERDOWN or TRYAGAIN before the last error is
   * reported. Set it above the cluster's `cluster-node-timeout` plus election time. [30000]
   */
  retryWindowMs?: number | undefined;
  /**
   * How the waits through a failover, CLUSTERDOWN or TRYAGAIN back off: core's RetryPolicy without `attempts`
   * (the waits are bounded by `retryWindowMs`, not counted). [{ initialDelayMs: 100, maxDelayMs: 1000,
   * multiplier: 2, jitter: "equal" }]
   */
  retry?: Omit<RetryPolicy, "attempts"> | undefined;
  /** @deprecated use `retry: { initialDelayMs }`. First backoff step while waiting. [100] */
  retryDelayMs?: number | undefined;
  /** How long one node may take to answer CLUSTER SLOTS during a topology refresh. [2000] */
  topologyTimeoutMs?: number | undefined;
  /** Masters scanned at once by `scanKeys`. [4] */
  scanConcurrency?: number | undefined;
  /**
   * Remember the keys `scanKeys` has yielded (about 16 bytes per key) so that slots read again after a
   * failover or a migration never yield a key twice. Without it such re-reads may repeat keys. [true]
   */
  scanDeduplication?: boolean | undefined;
  /** Pipelines kept in flight per node by `batch`. [4] */
  pipelinesPerNode?: number | undefined;
  /**
   * ioredis cluster options, e.g. the ones an application already gives `new Cluster(...)`. Honoured:
   * `redisOptions`, `natMap`, `maxRedirections`, `slotsRefreshTimeout`, `retryDelayOnTryAgain`. Options of
   * this object's own win over them.
   */
  ioredis?: ClusterOptions | undefined;
  /** Called for every redirect, failover step and rescan (see ClusterEvent). Must not throw. */
  onEvent?: ((event: ClusterEvent) => void) | undefined;
}
