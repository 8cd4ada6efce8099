import pl, { type DataFrame } from "nodejs-polars";
import { uniqueKeyPrefix } from "../data/unique-key-prefix.js";
import type { SinkLike, SinkWriteContextLike, WriteResultLike } from "./sink-like.js";

/** How a conformance run reaches the sink under test and its destination. */
export interface SinkConformanceOptions<S extends SinkLike = SinkLike> {
  /** A fresh sink for each check. */
  makeSink: () => S | Promise<S>;
  /**
   * What the destination holds for the given keys, one record per stored row (with the key column). Enables
   * the "every row is stored" and "a replay creates no duplicates" checks. Every column of the frame must be in
   * each record (see `ignoreColumns`); values are compared as strings (`String(value)`, null and undefined
   * alike), so a Redis hash that stores "42" matches the frame's 42.
   */
  readBack?:
    | ((sink: S, keys: readonly string[]) => Promise<ReadonlyArray<Record<string, unknown>>>)
    | undefined;
  /**
   * Columns of the frame the sink does not store by design (a sink that projects, e.g. one that writes a
   * single value column): not looked for in `readBack`'s records. Any other missing column is a failure.
   */
  ignoreColumns?: readonly string[] | undefined;
  /** The batch to write; it must have the key column. Default: 25 rows of utf8/int/float/bool columns. */
  makeFrame?: ((keyPrefix: string) => DataFrame) | undefined;
  /** The frame's key column ["_key"]. */
  keyColumn?: string | undefined;
  /**
   * Arranges for some keys of `frame` to fail (e.g. createWrongTypeConflict on them) and returns those keys.
   * Enables the "reports per-key failures" check: the write must report exactly them, and not throw.
   */
  provokeFailure?: ((sink: S, frame: DataFrame) => Promise<readonly string[]>) | undefined;
  /** Called after each check with its sink (e.g. to delete the keys it wrote). */
  cleanup?: ((sink: S) => Promise<void>) | undefined;
}

export type SinkConformanceCheckName =
  | "writes every row"
  | "reports per-key failures"
  | "a replayed batch creates no duplicates"
  | "closes cleanly";

export interface SinkConformanceCheck {
  readonly name: SinkConformanceCheckName;
  /** Why the check cannot run with these options (undefined when it can). */
  readonly notRunnable: string | undefined;
  /** Runs the check on a fresh sink; resolves with the failures found (empty when the sink conforms). */
  run(): Promise<string[]>;
}

/**
 * The sink contract, as checks that return their failures (no test runner involved): a vitest wrapper is at
 * `@polars-redis/testkit/vitest` (`runSinkConformance`), and any runner can call `run()` itself.
 */
export function sinkConformanceChecks<S extends SinkLike>(
  options: SinkConformanceOptions<S>,
): SinkConformanceCheck[] {
  const keyColumn = options.keyColumn ?? "_key";
  const makeFrame = options.makeFrame ?? defaultConformanceFrame;
  const ignored = new Set(options.ignoreColumns ?? []);
  if (ignored.has(keyColumn)) {
    throw new TypeError(`ignoreColumns cannot hold the key column "${keyColumn}": rows are matched by it`);
  }
  const withSink = async (check: (sink: S, failures: string[]) => Promise<void>): Promise<string[]> => {
    const failures: string[] = [];
    const sink = await options.makeSink();
    try {
      await check(sink, failures);
    } catch (error) {
      failures.push(`threw: ${describeError(error)}`);
    } finally {
      try {
        await options.cleanup?.(sink);
      } finally {
        await sink.close?.().catch(() => undefined);
      }
    }
    return failures;
  };
  const freshFrame = () => {
    const frame = makeFrame(uniqueKeyPrefix("conformance"));
    if (!frame.columns.includes(keyColumn)) {
      throw new TypeError(
        `the conformance frame has no key column "${keyColumn}" (columns: ${frame.columns.join(", ")})`,
      );
    }
    return { frame, keys: frame.getColumn(keyColumn).toArray().map(String) };
  };

  return [
    {
      name: "writes every row",
      notRunnable: undefined,
      run: () =>
        withSink(async (sink, failures) => {
          const { frame, keys } = freshFrame();
          const result = await sink.write(frame, context(1, keys));
          checkCounts(result, frame.height, [], failures);
          if (options.readBack) {
            const stored = await options.readBack(sink, keys);
            compareStored(stored, frame, keyColumn, ignored, failures);
          }
        }),
    },
    {
      name: "reports per-key failures",
      notRunnable: options.provokeFailure
        ? undefined
        : "no `provokeFailure` option: the caller knows how to make a key fail",
      run: () =>
        withSink(async (sink, failures) => {
          const { frame, keys } = freshFrame();
          const failing = [...(await options.provokeFailure!(sink, frame))];
          if (failing.length === 0) {
            failures.push("provokeFailure returned no keys: nothing to check");
            return;
          }
          let result: WriteResultLike;
          try {
            result = await sink.write(frame, context(1, keys));
          } catch (error) {
            failures.push(
              `write threw on a partial failure instead of reporting the keys: ${describeError(error)}`,
            );
            return;
          }
          checkCounts(result, frame.height, failing, failures);
          for (const key of failing) {
            const error = result.errors.get(key);
            if (!(error instanceof Error))
              failures.push(`errors.get("${key}") is not an Error: ${String(error)}`);
            else if (typeof error.retryable !== "boolean") {
              failures.push(`the error of "${key}" does not say whether it is retryable`);
            }
          }
        }),
    },
    {
      name: "a replayed batch creates no duplicates",
      notRunnable: options.readBack
        ? undefined
        : "no `readBack` option: duplicates can only be seen in the destination",
      run: () =>
        withSink(async (sink, failures) => {
          const { frame, keys } = freshFrame();
          const first = await sink.write(frame, context(1, keys));
          const replay = await sink.write(frame, context(2, keys));
          if (!first.isCompleteSuccess())
            failures.push(`first write failed keys: ${first.failedKeys().join(", ")}`);
          if (!replay.isCompleteSuccess())
            failures.push(`the replay failed keys: ${replay.failedKeys().join(", ")}`);
          const stored = await options.readBack!(sink, keys);
          if (stored.length !== frame.height) {
            failures.push(
              `after writing the same ${frame.height} rows twice the destination holds ${stored.length} rows`,
            );
          }
          compareStored(stored, frame, keyColumn, ignored, failures);
        }),
    },
    {
      name: "closes cleanly",
      notRunnable: undefined,
      run: async () => {
        const failures: string[] = [];
        const sink = await options.makeSink();
        try {
          const { frame, keys } = freshFrame();
          const result = await sink.write(frame, context(1, keys));
          if (!result.isCompleteSuccess())
            failures.push(`write before close failed keys: ${result.failedKeys().join(", ")}`);
          await options.cleanup?.(sink);
        } catch (error) {
          failures.push(`write before close threw: ${describeError(error)}`);
        }
        for (const attempt of ["first", "second"]) {
          try {
            await sink.close?.();
          } catch (error) {
            failures.push(`the ${attempt} close() threw: ${describeError(error)}`);
          }
        }
        return failures;
      },
    },
  ];
}

/** Runs every runnable check and returns the failures per check (an empty list means the sink conforms). */
export async function checkSinkConformance<S extends SinkLike>(
  options: SinkConformanceOptions<S>,
): Promise<Map<SinkConformanceCheckName, string[]>> {
  const report = new Map<SinkConformanceCheckName, string[]>();
  for (const check of sinkConformanceChecks(options)) {
    if (check.notRunnable === undefined) report.set(check.name, await check.run());
  }
  return report;
}

/** 25 rows: `_key` (with the prefix), an Int64, a Float64, a Boolean and a unicode string column. */
export function defaultConformanceFrame(keyPrefix: string): DataFrame {
  const rows = 25;
  const keys = Array.from({ length: rows }, (_, index) => `${keyPrefix}${index}`);
  return pl.DataFrame([
    pl.Series("_key", keys, pl.Utf8),
    pl.Series(
      "id",
      Array.from({ length: rows }, (_, index) => 1_000 + index),
      pl.Int64,
    ),
    pl.Series(
      "amount",
      Array.from({ length: rows }, (_, index) => index * 1.25),
      pl.Float64,
    ),
    pl.Series(
      "active",
      Array.from({ length: rows }, (_, index) => index % 3 !== 0),
      pl.Bool,
    ),
    pl.Series(
      "name",
      Array.from({ length: rows }, (_, index) => `Zoë-${index}-東京`),
      pl.Utf8,
    ),
  ]);
}

function context(attempt: number, keys: readonly string[]): SinkWriteContextLike {
  return { signal: new AbortController().signal, attempt, rowIds: keys };
}

function checkCounts(
  result: WriteResultLike,
  rows: number,
  failing: readonly string[],
  failures: string[],
): void {
  const reported = new Set(result.failedKeys());
  const expected = new Set(failing);
  if (result.written + result.failed + result.skipped !== rows) {
    failures.push(
      `written (${result.written}) + failed (${result.failed}) + skipped (${result.skipped}) != ${rows} rows`,
    );
  }
  if (result.failed !== failing.length)
    failures.push(`failed is ${result.failed}, expected ${failing.length}`);
  if (result.errors.size !== result.failed) {
    failures.push(`errors has ${result.errors.size} entries but failed is ${result.failed}`);
  }
  const missing = [...expected].filter((key) => !reported.has(key));
  const extra = [...reported].filter((key) => !expected.has(key));
  if (missing.length > 0) failures.push(`failed keys not reported: ${missing.join(", ")}`);
  if (extra.length > 0)
    failures.push(`keys reported failed that should have been written: ${extra.join(", ")}`);
  if (result.isCompleteSuccess() !== (failing.length === 0)) {
    failures.push(`isCompleteSuccess() is ${result.isCompleteSuccess()} with ${failing.length} failing keys`);
  }
}

function compareStored(
  stored: ReadonlyArray<Record<string, unknown>>,
  frame: DataFrame,
  keyColumn: string,
  ignored: ReadonlySet<string>,
  failures: string[],
): void {
  for (const column of ignored) {
    if (!frame.columns.includes(column))
      failures.push(`ignoreColumns names "${column}", which the frame lacks`);
  }
  const expected = frame.toRecords() as Array<Record<string, unknown>>;
  const byKey = new Map<string, Record<string, unknown>[]>();
  for (const record of stored) {
    const key = String(record[keyColumn]);
    byKey.set(key, [...(byKey.get(key) ?? []), record]);
  }
  for (const [key, records] of byKey) {
    if (records.length > 1) failures.push(`key "${key}" is stored ${records.length} times`);
  }
  for (const row of expected) {
    const key = String(row[keyColumn]);
    const record = byKey.get(key)?.[0];
    if (record === undefined) {
      failures.push(`row "${key}" is not in the destination`);
      continue;
    }
    for (const [column, value] of Object.entries(row)) {
      if (ignored.has(column)) continue;
      if (!Object.hasOwn(record, column)) {
        failures.push(`row "${key}" column "${column}" is not stored (or not read back)`);
        continue;
      }
      if (asText(record[column]) !== asText(value)) {
        failures.push(
          `row "${key}" column "${column}": stored ${asText(record[column])}, written ${asText(value)}`,
        );
      }
    }
  }
}

function asText(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
