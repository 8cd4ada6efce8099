import type { CommandError } from "../connection/redis-connection.js";
import type { PolarsRedisError } from "../errors/polars-redis-error.js";

/** Why one key failed: any error of the family; command errors also say "rejected" or "unknown". */
export type KeyError = CommandError | PolarsRedisError;

/**
 * What a write did, key by key. Every writer and every sink returns one, for every type.
 * `written + failed + skipped` is the number of keys the write was asked to handle.
 */
export class WriteResult {
  readonly written: number;
  readonly skipped: number;
  /** Failed keys, each with its error. */
  readonly errors: ReadonlyMap<string, KeyError>;
  /** Keys written, when the writer was asked to keep them (they can be many). */
  readonly writtenKeys: readonly string[] | undefined;
  readonly skippedKeys: readonly string[];

  constructor(init: {
    written: number;
    skipped?: number;
    errors?: ReadonlyMap<string, KeyError>;
    writtenKeys?: readonly string[];
    skippedKeys?: readonly string[];
  }) {
    this.written = init.written;
    this.errors = init.errors ?? new Map();
    this.skippedKeys = init.skippedKeys ?? [];
    this.skipped = init.skipped ?? this.skippedKeys.length;
    this.writtenKeys = init.writtenKeys;
  }

  get failed(): number {
    return this.errors.size;
  }

  failedKeys(): string[] {
    return [...this.errors.keys()];
  }

  /** Failed keys whose error says a later attempt may succeed (OOM, LOADING, connection loss, ...). */
  retryableKeys(): string[] {
    return [...this.errors].filter(([, error]) => error.retryable).map(([key]) => key);
  }

  isCompleteSuccess(): boolean {
    return this.errors.size === 0;
  }

  /** Combines results of disjoint key sets (e.g. the chunks of one write, or a write and its retry). */
  static merge(results: readonly WriteResult[]): WriteResult {
    const errors = new Map<string, KeyError>();
    let written = 0;
    const skippedKeys: string[] = [];
    let skipped = 0;
    let writtenKeys: string[] | undefined;
    for (const result of results) {
      written += result.written;
      skipped += result.skipped;
      skippedKeys.push(...result.skippedKeys);
      if (result.writtenKeys) {
        writtenKeys ??= [];
        writtenKeys.push(...result.writtenKeys);
      }
      for (const [key, error] of result.errors) errors.set(key, error);
    }
    return new WriteResult({
      written,
      skipped,
      errors,
      skippedKeys,
      ...(writtenKeys ? { writtenKeys } : {}),
    });
  }
}
