import type { KeyError, RedisConnection } from "@polars-redis/core";

/** What happened to one key: written, skipped (it existed, in "fail" mode), or failed with an error. */
export type KeyStatus = "written" | "skipped" | KeyError;

/** One key's worth of work. */
export interface KeyUnit {
  readonly key: string;
}

/**
 * How one writer turns its units into Redis commands. `send` writes one batch of units and resolves each
 * unit's status, in order; a failing key never fails the others.
 */
export interface WritePlan<U extends KeyUnit> {
  /** What is written, for messages: "RPUSH (list append)". */
  readonly description: string;
  /**
   * Whether sending a unit twice leaves the same state as sending it once. Only then may a unit whose reply
   * was lost (outcome "unknown") be retried.
   */
  readonly idempotent: boolean;
  /** `signal`: do not start further round trips once it fires (the caller stops waiting anyway). */
  send(connection: RedisConnection, units: readonly U[], signal?: AbortSignal): Promise<KeyStatus[]>;
}
