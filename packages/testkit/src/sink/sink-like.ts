import type { DataFrame } from "nodejs-polars";

/*
 * The sink contract as testkit's mock and conformance checks use it: only the members they touch, stated
 * structurally, so any sink written against core (of any version in testkit's peer range) fits, and so does a
 * user's own result type. Every core `Sink`, `SinkWriteContext` and `WriteResult` satisfies these types
 * (core's testkit-compat.test.ts is the compile-time proof).
 */

/** Why one key failed. Core's errors carry `retryable` (and a `code`). */
export type KeyErrorLike = Error & { readonly retryable?: boolean | undefined };

/** What a write reports, key by key (core's `WriteResult`). */
export interface WriteResultLike {
  readonly written: number;
  readonly failed: number;
  readonly skipped: number;
  readonly errors: ReadonlyMap<string, KeyErrorLike>;
  failedKeys(): string[];
  isCompleteSuccess(): boolean;
}

/** What a sink is told about a batch (core's `SinkWriteContext`). */
export interface SinkWriteContextLike {
  signal: AbortSignal;
  /** 1 for the first attempt at this batch, 2 for the first retry, ... */
  attempt: number;
  /** A stable identity per row, so a replay can be recognised. */
  rowIds?: readonly string[] | undefined;
}

/** A destination for frames (core's `Sink`). */
export interface SinkLike {
  readonly name: string;
  write(frame: DataFrame, context: SinkWriteContextLike): Promise<WriteResultLike>;
  close?(): Promise<void>;
}
