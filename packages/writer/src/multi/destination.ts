import type { RedisConnection, WriteResult } from "@polars-redis/core";
import type { DataFrame, Expr } from "nodejs-polars";

/** Writes one destination's rows; it must honour `signal` (the destination's timeout or the caller's abort). */
export type DestinationWriter = (
  connection: RedisConnection,
  frame: DataFrame,
  context: { signal: AbortSignal; destination: string },
) => Promise<WriteResult>;

/** One place `writeToMany` writes to. */
export interface Destination {
  /** Names the destination in the result; unique within one call. */
  name: string;
  connection: RedisConnection;
  /** Only rows matching this expression go here. [all rows] */
  filter?: Expr | undefined;
  /** Reshapes the (filtered) rows for this destination: rename, derive keys, drop columns. */
  transform?: ((frame: DataFrame) => DataFrame | Promise<DataFrame>) | undefined;
  /**
   * How the rows are written. [writeHashes with its defaults and `keepWrittenKeys`]
   * e.g. `(conn, frame, { signal }) => writeJson(conn, frame, { keyColumn: "id", signal })`.
   */
  write?: DestinationWriter | undefined;
  /** Give up on this destination after this long; its unconfirmed keys are reported for retry. [30000] */
  timeoutMs?: number | undefined;
}

/**
 * What happened at one destination:
 * - "succeeded": every key written or skipped;
 * - "partial": the writer finished but some keys failed (see `result.errors`, `retryableKeys()`);
 * - "timed-out": `timeoutMs` passed first; `result` (when the writer reported one) says what was confirmed;
 * - "aborted": the caller's signal fired;
 * - "failed": the writer threw (bad options, an unexpected error); see `error`.
 */
export type DestinationStatus = "succeeded" | "partial" | "timed-out" | "aborted" | "failed";

export interface DestinationResult {
  readonly name: string;
  readonly status: DestinationStatus;
  /** Rows this destination was given, after its filter and transform. */
  readonly rows: number;
  /** The frame this destination was given: write it again (or its `retryableKeys()`) to retry. */
  readonly frame: DataFrame;
  /** Per-key outcome, when the writer got as far as reporting one. */
  readonly result: WriteResult | undefined;
  readonly error: unknown;
  readonly durationMs: number;
  /**
   * Keys worth sending again: failed keys with retryable errors, and keys the timeout left unconfirmed (when
   * the write is idempotent). Undefined when the writer reported no per-key result: then retry `frame`.
   */
  retryableKeys(): string[] | undefined;
}
