import type { RetryOption } from "@polars-redis/core";

/**
 * What to do with a key that already exists:
 * - "replace": the key ends up holding exactly the rows written (old fields, members, TTL are gone), atomically.
 * - "append": merge into what is there (hash fields set, set/zset members added, list elements pushed,
 *   stream entries added, JSON documents merged).
 * - "fail": leave existing keys untouched and report them as skipped; the check and the write are one atomic step.
 */
export type IfExists = "replace" | "append" | "fail";

/** Reported after every batch of keys a write finishes. */
export interface WriteProgress {
  /** Keys confirmed written so far. */
  written: number;
  /** Keys failed so far (a failed key that a retry then writes moves to `written`). */
  failed: number;
  skipped: number;
  /** Keys this write handles in total. */
  total: number;
  /** 1 for the first pass over the keys, 2 for the first retry of failed keys, ... */
  attempt: number;
  elapsedMs: number;
}

/** Options shared by every writer. */
export interface WriteOptions {
  /** Column holding each row's key. ["_key"] Ignored when `keyTemplate` is given. */
  keyColumn?: string | undefined;
  /** Prepended to every key (also to keys built from `keyTemplate`). [""] */
  keyPrefix?: string | undefined;
  /**
   * Builds keys from columns: `"user:{id}:{region}"`. Write `{{` and `}}` for literal braces (cluster hash tags:
   * `"{{tenant}}:{id}"` gives `{tenant}:42`).
   */
  keyTemplate?: string | undefined;
  /** Expire every written key after this many seconds (a positive integer). */
  ttl?: number | undefined;
  /**
   * Per-key expiry in **milliseconds** from a numeric (or Duration) column: the unit of a scan's `_ttl` column
   * (PTTL), so a frame read with `includeTtl` writes back with the same expiries. Null (or -1) means no expiry.
   * The column is not written as data.
   */
  ttlColumn?: string | undefined;
  /** ["replace"; "append" for streams and time series] */
  ifExists?: IfExists | undefined;
  /** Keys per pipelined round trip. [1000] */
  batchSize?: number | undefined;
  /** Batches in flight at once. [2; 8 for writeHashes over the raw pipe (see docs/writing.md)] */
  parallel?: number | undefined;
  /**
   * Retry keys that failed with a retryable error (OOM, LOADING, BUSY, TRYAGAIN, connection loss). Keys
   * already written are never re-sent. `true` = defaults, a number = attempts in total, or a policy. [3 attempts]
   */
  retry?: RetryOption | undefined;
  /** Stops sending further batches; the write then rejects with a WriteAbortedError carrying the partial result. */
  signal?: AbortSignal | undefined;
  onProgress?: ((progress: WriteProgress) => void) | undefined;
  /** Keep the list of written keys in `WriteResult.writtenKeys`. [false] */
  keepWrittenKeys?: boolean | undefined;
}
