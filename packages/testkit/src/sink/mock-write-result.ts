import type { KeyErrorLike, WriteResultLike } from "./sink-like.js";

/** A key's failure as MockSink reports it: an Error with `retryable` and a Redis-like `code`. */
export class MockKeyError extends Error {
  readonly retryable: boolean;
  readonly code: string;

  constructor(
    message: string,
    { retryable = true, code = "MOCK" }: { retryable?: boolean; code?: string } = {},
  ) {
    super(message);
    this.name = "MockKeyError";
    this.retryable = retryable;
    this.code = code;
  }
}

/** A WriteResult of the shape core's has, built by MockSink (and usable by hand-written test sinks). */
export class MockWriteResult implements WriteResultLike {
  readonly written: number;
  readonly skipped: number;
  readonly errors: ReadonlyMap<string, KeyErrorLike>;
  readonly writtenKeys: readonly string[];

  constructor(init: {
    writtenKeys: readonly string[];
    errors?: ReadonlyMap<string, KeyErrorLike>;
    skipped?: number;
  }) {
    this.writtenKeys = init.writtenKeys;
    this.written = init.writtenKeys.length;
    this.errors = init.errors ?? new Map();
    this.skipped = init.skipped ?? 0;
  }

  get failed(): number {
    return this.errors.size;
  }

  failedKeys(): string[] {
    return [...this.errors.keys()];
  }

  retryableKeys(): string[] {
    return [...this.errors].filter(([, error]) => error.retryable === true).map(([key]) => key);
  }

  isCompleteSuccess(): boolean {
    return this.errors.size === 0;
  }
}
