import type { DataFrame } from "nodejs-polars";
import { MockKeyError, MockWriteResult } from "./mock-write-result.js";
import type { KeyErrorLike, SinkLike, SinkWriteContextLike, WriteResultLike } from "./sink-like.js";

/** One recorded write. */
export interface MockSinkCall {
  /** 1-based call number. */
  readonly call: number;
  readonly frame: DataFrame;
  readonly context: SinkWriteContextLike;
  /** The keys of the frame's rows, as this sink identifies them. */
  readonly keys: readonly string[];
  /** Set once the call finished: what it returned, or what it threw. */
  result?: WriteResultLike | undefined;
  error?: unknown | undefined;
}

/**
 * What one call does:
 * - `"ok"`: store every row and report success;
 * - `{ throw: error }`: throw (a sink that is down);
 * - `{ failKeys }`: store the other rows, report these keys failed (an array of keys, each with a retryable
 *   MockKeyError, or a map key -> error);
 * - a WriteResultLike: return it as is, storing nothing.
 */
export type MockWriteOutcome =
  | "ok"
  | { throw: unknown }
  | { failKeys: readonly string[] | ReadonlyMap<string, KeyErrorLike> }
  | WriteResultLike;

/** A fixed outcome, or a function of the call that returns one (or throws). */
export type MockWriteStep =
  | MockWriteOutcome
  | ((call: MockSinkCall) => MockWriteOutcome | Promise<MockWriteOutcome>);

export interface MockSinkOptions {
  name?: string | undefined;
  /**
   * The outcome of each call: one step for every call, or an array where the n-th call gets the n-th entry and
   * later calls repeat the last one (so `[{ throw }, { throw }, "ok"]` fails twice, then succeeds). ["ok"]
   */
  write?: MockWriteStep | readonly MockWriteStep[] | undefined;
  /** The column that names each row's key ["_key"]; without it, `context.rowIds`, then `row:<index>`. */
  keyColumn?: string | undefined;
  /**
   * Store a replayed row again instead of replacing it: a deliberately broken sink, to prove that a
   * conformance check catches duplicates. [false]
   */
  duplicateOnReplay?: boolean | undefined;
}

/**
 * A Sink for tests: it records every call (frames and contexts), keeps what it "stored" in memory (by key,
 * so a replay replaces instead of duplicating), and can be scripted to throw or to fail some keys, call by
 * call. Its results have the shape of core's WriteResult.
 */
export class MockSink implements SinkLike {
  readonly name: string;
  readonly calls: MockSinkCall[] = [];
  #closeCalls = 0;
  readonly #steps: readonly MockWriteStep[];
  readonly #keyColumn: string;
  readonly #duplicateOnReplay: boolean;
  readonly #stored = new Map<string, Record<string, unknown>>();
  readonly #duplicates: Array<Record<string, unknown>> = [];

  constructor({
    name = "mock",
    write = "ok",
    keyColumn = "_key",
    duplicateOnReplay = false,
  }: MockSinkOptions = {}) {
    this.name = name;
    this.#steps = Array.isArray(write) ? [...(write as readonly MockWriteStep[])] : [write as MockWriteStep];
    if (this.#steps.length === 0) throw new RangeError("MockSink: `write` must not be an empty array");
    this.#keyColumn = keyColumn;
    this.#duplicateOnReplay = duplicateOnReplay;
  }

  /** A sink that throws `error` on its first `times` calls, then succeeds. */
  static failingTimes(
    times: number,
    error: unknown = new Error("mock sink unavailable"),
    options: MockSinkOptions = {},
  ) {
    return new MockSink({
      ...options,
      write: [...Array.from({ length: times }, () => ({ throw: error })), "ok"],
    });
  }

  get closeCalls(): number {
    return this.#closeCalls;
  }

  get closed(): boolean {
    return this.#closeCalls > 0;
  }

  /** The frames of every call, in order. */
  get frames(): DataFrame[] {
    return this.calls.map((call) => call.frame);
  }

  /** Everything stored so far, one record per row (with its key column), in first-write order. */
  rows(): Array<Record<string, unknown>> {
    return [...this.#stored.values(), ...this.#duplicates];
  }

  /** The stored record of one key. */
  row(key: string): Record<string, unknown> | undefined {
    return this.#stored.get(key);
  }

  async write(frame: DataFrame, context: SinkWriteContextLike): Promise<WriteResultLike> {
    if (this.closed) throw new Error(`MockSink "${this.name}" is closed`);
    const keys = this.#keysOf(frame, context);
    const call: MockSinkCall = { call: this.calls.length + 1, frame, context, keys };
    this.calls.push(call);
    try {
      const step = this.#steps[Math.min(call.call, this.#steps.length) - 1]!;
      const outcome = typeof step === "function" ? await step(call) : step;
      call.result = this.#apply(outcome, frame, keys);
      return call.result;
    } catch (error) {
      call.error = error;
      throw error;
    }
  }

  async close(): Promise<void> {
    this.#closeCalls++;
  }

  #apply(outcome: MockWriteOutcome, frame: DataFrame, keys: readonly string[]): WriteResultLike {
    if (outcome === "ok") return this.#store(frame, keys, new Map());
    if ("throw" in outcome) throw outcome.throw;
    if ("failKeys" in outcome) {
      const errors = new Map<string, KeyErrorLike>();
      if (outcome.failKeys instanceof Map) {
        for (const [key, error] of outcome.failKeys) errors.set(key, error);
      } else {
        for (const key of outcome.failKeys as readonly string[]) {
          errors.set(key, new MockKeyError(`mock failure for key "${key}"`));
        }
      }
      return this.#store(frame, keys, errors);
    }
    return outcome;
  }

  #store(
    frame: DataFrame,
    keys: readonly string[],
    errors: ReadonlyMap<string, KeyErrorLike>,
  ): MockWriteResult {
    const records = frame.toRecords() as Array<Record<string, unknown>>;
    const writtenKeys: string[] = [];
    for (const [index, record] of records.entries()) {
      const key = keys[index]!;
      if (errors.has(key)) continue;
      if (this.#duplicateOnReplay && this.#stored.has(key)) this.#duplicates.push(record);
      else this.#stored.set(key, record);
      writtenKeys.push(key);
    }
    return new MockWriteResult({ writtenKeys, errors });
  }

  #keysOf(frame: DataFrame, context: SinkWriteContextLike): string[] {
    if (frame.columns.includes(this.#keyColumn)) {
      return frame
        .getColumn(this.#keyColumn)
        .toArray()
        .map((key) => String(key));
    }
    if (context.rowIds !== undefined) return [...context.rowIds];
    return Array.from({ length: frame.height }, (_, index) => `row:${index}`);
  }
}
