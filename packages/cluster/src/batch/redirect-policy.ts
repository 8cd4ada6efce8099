import type { ResolvedRetryPolicy } from "@polars-redis/core/internal";

/** How hard a cluster batch tries before it reports a command's last error. */
export interface RedirectPolicy {
  /** MOVED/ASK hops one command may take. */
  readonly maxRedirections: number;
  /** How long commands wait through TRYAGAIN, CLUSTERDOWN and unreachable masters (a failover). */
  readonly retryWindowMs: number;
  /** How those waits back off (core's one backoff; `attempts` unused: the window bounds them). */
  readonly backoff: ResolvedRetryPolicy;
  /** Pipelines kept in flight per node. */
  readonly pipelinesPerNode: number;
  /** Commands per pipeline unless the caller's `chunkSize` says otherwise. */
  readonly defaultChunkSize: number;
}
