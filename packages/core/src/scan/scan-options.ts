import type { Expr } from "nodejs-polars";
import { InvalidArgumentError } from "../errors/invalid-argument-error.js";
import type { OnError } from "./coercion-policy.js";
import type { ScanProgress, ScanReport } from "./scan-report.js";

/** Options every `scanT` / `readT` takes. Defaults in brackets. */
export interface ScanOptions {
  /** SCAN MATCH pattern. ["*"] Only keys of the scanned type are read (SCAN ... TYPE). */
  pattern?: string;
  /** Read exactly these keys instead of scanning (in this order). Keys that are gone are skipped. */
  keys?: readonly string[];
  /** A nodejs-polars expression each frame is filtered with, e.g. `pl.col("age").gt(30)`. */
  filter?: Expr;
  /** Stop once this many rows (counted after `filter`) have been yielded. */
  limit?: number;
  /** Add the key as a Utf8 column. [true] */
  includeKey?: boolean;
  /** ["_key"] */
  keyColumn?: string;
  /** Add the remaining time to live, Int64 milliseconds (PTTL), null for keys without expiry. [false] */
  includeTtl?: boolean;
  /** ["_ttl"] */
  ttlColumn?: string;
  /** Add a 0-based row number, contiguous across frames and counted after `filter`. [false] */
  includeRowIndex?: boolean;
  /** ["_index"] */
  rowIndexColumn?: string;
  /** Keys per batch: one pipelined round trip, and at most one frame's worth of keys. [1000] */
  batchSize?: number;
  /** COUNT hint for each SCAN call. [batchSize] */
  countHint?: number;
  /** Batches in flight at once; frames still come out in order. [1] */
  parallel?: number;
  /** A value that does not convert to its dtype: throw SchemaMismatchError, or null it and count it. ["raise"] */
  onError?: OnError;
  /** Abort the scan: the iteration rejects with AbortedError promptly; the connection stays usable. */
  signal?: AbortSignal;
  /** Called after each frame. */
  onProgress?: (progress: ScanProgress) => void;
  /** Called once when the iteration ends without error (how `readT` callers get the report). */
  onReport?: (report: ScanReport) => void;
}

/** Common options after validation, defaults applied. */
export interface ResolvedScanOptions {
  readonly pattern: string;
  readonly keys: readonly string[] | undefined;
  readonly filter: Expr | undefined;
  readonly limit: number | undefined;
  readonly keyColumn: string | undefined;
  readonly ttlColumn: string | undefined;
  readonly rowIndexColumn: string | undefined;
  readonly batchSize: number;
  readonly countHint: number;
  readonly parallel: number;
  readonly onError: OnError;
  readonly signal: AbortSignal | undefined;
  readonly onProgress: ((progress: ScanProgress) => void) | undefined;
  readonly onReport: ((report: ScanReport) => void) | undefined;
}

/** Validates the common options; throws InvalidArgumentError before any I/O. */
export function resolveScanOptions(
  options: ScanOptions | undefined,
  defaults: { batchSize?: number } = {},
): ResolvedScanOptions {
  if (options !== undefined && (options === null || typeof options !== "object")) {
    throw new InvalidArgumentError("options", "expected an options object");
  }
  const o = options ?? {};
  if (o.pattern !== undefined && o.keys !== undefined) {
    throw new InvalidArgumentError("keys", "give either `pattern` or `keys`, not both");
  }
  const batchSize = positiveInteger(o.batchSize, "batchSize", defaults.batchSize ?? 1000);
  return {
    pattern: nonEmptyString(o.pattern, "pattern", "*"),
    keys: keyList(o.keys),
    filter: expression(o.filter),
    limit: o.limit === undefined ? undefined : nonNegativeInteger(o.limit, "limit"),
    keyColumn: optionalColumn(o, "includeKey", true, "keyColumn", "_key"),
    ttlColumn: optionalColumn(o, "includeTtl", false, "ttlColumn", "_ttl"),
    rowIndexColumn: optionalColumn(o, "includeRowIndex", false, "rowIndexColumn", "_index"),
    batchSize,
    countHint: positiveInteger(o.countHint, "countHint", batchSize),
    parallel: positiveInteger(o.parallel, "parallel", 1, 64),
    onError: onErrorPolicy(o.onError),
    signal: abortSignal(o.signal),
    onProgress: callback(o.onProgress, "onProgress"),
    onReport: callback(o.onReport, "onReport"),
  };
}

export function nonEmptyString(value: unknown, argument: string, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== "string" || value.length === 0) {
    throw new InvalidArgumentError(argument, `expected a non-empty string, got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * The name of an optional column, set by a pair of options such as `includeTtl` / `ttlColumn`, or undefined
 * when the column is left out. Both options are validated either way.
 */
export function optionalColumn<Options extends object>(
  options: Options,
  includeOption: keyof Options & string,
  includedByDefault: boolean,
  nameOption: keyof Options & string,
  defaultName: string,
): string | undefined {
  const included = flag(options[includeOption], includeOption, includedByDefault);
  const name = nonEmptyString(options[nameOption], nameOption, defaultName);
  return included ? name : undefined;
}

export function flag(value: unknown, argument: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean")
    throw new InvalidArgumentError(argument, `expected true or false, got ${JSON.stringify(value)}`);
  return value;
}

export function positiveInteger(
  value: unknown,
  argument: string,
  fallback: number,
  max = 100_000_000,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > max) {
    throw new InvalidArgumentError(
      argument,
      `expected an integer from 1 to ${max}, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

function nonNegativeInteger(value: unknown, argument: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw new InvalidArgumentError(argument, `expected an integer >= 0, got ${JSON.stringify(value)}`);
  }
  return value;
}

function keyList(value: unknown): readonly string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((key) => typeof key !== "string")) {
    throw new InvalidArgumentError("keys", "expected an array of key strings");
  }
  return value as string[];
}

function expression(value: unknown): Expr | undefined {
  if (value === undefined) return undefined;
  const candidate = value as { _expr?: unknown; alias?: unknown } | null;
  if (candidate === null || typeof candidate !== "object" || typeof candidate.alias !== "function") {
    throw new InvalidArgumentError(
      "filter",
      'expected a nodejs-polars expression such as pl.col("age").gt(30)',
    );
  }
  return value as Expr;
}

export function onErrorPolicy(value: unknown): OnError {
  if (value === undefined) return "raise";
  if (value !== "raise" && value !== "null") {
    throw new InvalidArgumentError("onError", `expected "raise" or "null", got ${JSON.stringify(value)}`);
  }
  return value;
}

function abortSignal(value: unknown): AbortSignal | undefined {
  if (value === undefined) return undefined;
  if (!(value instanceof AbortSignal)) throw new InvalidArgumentError("signal", "expected an AbortSignal");
  return value;
}

function callback<T>(value: unknown, argument: string): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "function") throw new InvalidArgumentError(argument, "expected a function");
  return value as T;
}
