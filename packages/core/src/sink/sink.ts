import type { DataFrame } from "nodejs-polars";
import type { WriteResult } from "./write-result.js";

/** What a sink is told about the batch it is asked to write. */
export interface SinkWriteContext {
  /** Fires when the caller gives up (shutdown, timeout); a sink should stop promptly. */
  signal: AbortSignal;
  /** 1 for the first attempt at this batch, 2 for the first retry, ... */
  attempt: number;
  /**
   * A stable identity per row, when the source has one (e.g. stream entry ids). Sinks use it to make replays
   * harmless: writing the same batch twice must leave the destination as after one write.
   */
  rowIds?: readonly string[] | undefined;
}

/**
 * Where rows go: a Redis destination, a file, a queue. Routers and writers own batching, retries and
 * concurrency; a sink only writes and reports, key by key, what happened.
 *
 * Contract (checked by testkit's `runSinkConformance`): every row of a successful write is stored; failures are
 * reported per key in the WriteResult, never thrown for a partial failure; replaying a batch creates no
 * duplicates; `close` releases everything and is safe to call twice.
 */
export interface Sink {
  readonly name: string;
  write(frame: DataFrame, context: SinkWriteContext): Promise<WriteResult>;
  close?(): Promise<void>;
}
