import type { DataFrame, Expr } from "nodejs-polars";
import { InvalidArgumentError } from "../errors/invalid-argument-error.js";
import { checkConnection } from "../validation/check-arguments.js";
import { checkOptions } from "../validation/check-options.js";
import { closestName } from "../validation/did-you-mean.js";
import { optionNames } from "../validation/option-names.js";
import type { OnError } from "./coercion-policy.js";
import type { ScanProgress, ScanReport } from "./scan-report.js";

/** Options every `scanT` / `readT` takes. Defaults in brackets. */
export interface ScanOptions {
  /** SCAN MATCH pattern. ["*"] Only keys of the scanned type are read (SCAN ... TYPE). */
  pattern?: string | undefined;
  /** Read exactly these keys instead of scanning (in this order). Keys that are gone are skipped. */
  keys?: readonly string[] | undefined;
  /** A nodejs-polars expression each frame is filtered with, e.g. `pl.col("age").gt(30)`. */
  filter?: Expr | undefined;
  /** Stop once this many rows (counted after `filter`) have been yielded. */
  limit?: number | undefined;
  /** Add the key as a Utf8 column. [true] */
  includeKey?: boolean | undefined;
  /** ["_key"] */
  keyColumn?: string | undefined;
  /** Add the remaining time to live, Int64 milliseconds (PTTL), null for keys without expiry. [false] */
  includeTtl?: boolean | undefined;
  /** ["_ttl"] */
  ttlColumn?: string | undefined;
  /** Add a 0-based row number, contiguous across frames and counted after `filter`. [false] */
  includeRowIndex?: boolean | undefined;
  /** ["_index"] */
  rowIndexColumn?: string | undefined;
  /** Keys per batch: one pipelined round trip, and at most one frame's worth of keys. [1000] */
  batchSize?: number | undefined;
  /** COUNT hint for each SCAN call. [batchSize] */
  countHint?: number | undefined;
  /** Batches in flight at once; frames still come out in order. [1] */
  parallel?: number | undefined;
  /** A value that does not convert to its dtype: throw SchemaMismatchError, or null it and count it. ["raise"] */
  onError?: OnError | undefined;
  /** Abort the scan: the iteration rejects with AbortedError promptly; the connection stays usable. */
  signal?: AbortSignal | undefined;
  /** Called after each frame. */
  onProgress?: ((progress: ScanProgress) => void) | undefined;
  /** Called once when the iteration ends without error (how `readT` callers get the report). */
  onReport?: ((report: ScanReport) => void) | undefined;
}

/** The keys of ScanOptions: with a scan type's own options, the only keys a scan accepts. */
export const SCAN_OPTION_NAMES: readonly string[] = optionNames<ScanOptions>()([
  "pattern",
  "keys",
  "filter",
  "limit",
  "includeKey",
  "keyColumn",
  "includeTtl",
  "ttlColumn",
  "includeRowIndex",
  "rowIndexColumn",
  "batchSize",
  "countHint",
  "parallel",
  "onError",
  "signal",
  "onProgress",
  "onReport",
]);

/** Which public function is being called, for the argument checks that run before the options'. */
export interface ScanCall {
  /** "readHashes/scanHashes": named in error messages. */
  function: string;
  connection: unknown;
  /** The scan type's own option names, besides SCAN_OPTION_NAMES. */
  options: readonly string[];
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
  defaults: { batchSize?: number; call?: ScanCall } = {},
): ResolvedScanOptions {
  const call = defaults.call;
  if (call !== undefined) {
    const usage = `${call.function.split("/")[0]}(connection, { pattern: "user:*", ... })`;
    checkConnection(call.connection, { function: call.function, usage });
    checkOptions(options, [...SCAN_OPTION_NAMES, ...call.options], { function: call.function });
  }
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

/**
 * Checks a filter against the columns the scan's frames will have, before anything is sent, so that a mistake
 * surfaces as an InvalidArgumentError at once instead of Polars' plan error after the whole read:
 * - a column the scan does not produce (nodejs-polars reads a bare string as a column name:
 *   `pl.col("name").eq("Ada")` names a column "Ada"; the hint says `pl.lit("Ada")`), with the available columns;
 * - anything else Polars refuses on those columns (comparing text with a number, a predicate that is not
 *   Boolean), by applying the filter to an empty frame with the scan's columns and dtypes.
 */
export function checkFilter(filter: Expr, emptyFrame: DataFrame): void {
  const columns = emptyFrame.columns;
  const available = columns.length === 0 ? "none" : columns.join(", ");
  for (const name of filterColumnNames(filter)) {
    if (columns.includes(name)) continue;
    const close = closestName(name, columns);
    throw new InvalidArgumentError(
      "filter",
      `${String(filter)} names the column ${JSON.stringify(name)}, which this scan does not produce ` +
        `(columns: ${available})${close === undefined ? "" : `; did you mean pl.col(${JSON.stringify(close)})?`}. ` +
        `nodejs-polars reads a bare string as a column name: to compare with the text ${JSON.stringify(name)}, ` +
        `write pl.lit(${JSON.stringify(name)}), e.g. pl.col("name").eq(pl.lit(${JSON.stringify(name)}))`,
    );
  }
  try {
    emptyFrame.filter(filter);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message.split("\n")[0] : String(cause);
    throw new InvalidArgumentError(
      "filter",
      `${String(filter)} cannot be applied to this scan's columns (${describeColumns(emptyFrame)}): ${reason}`,
      cause,
    );
  }
}

/**
 * The column names an expression reads (Polars' `meta.root_names`, which nodejs-polars 0.25 does not expose):
 * taken from the expression's JSON serialisation (`Column` nodes and by-name selectors). Empty when the
 * expression cannot be serialised; the dry run on an empty frame still checks it then.
 */
export function filterColumnNames(filter: Expr): string[] {
  let tree: unknown;
  try {
    const native = (filter as unknown as { _expr: { serialize(format: string): Buffer } })._expr;
    tree = JSON.parse(native.serialize("json").toString());
  } catch {
    return [];
  }
  const names = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const child of node) visit(child);
      return;
    }
    if (node === null || typeof node !== "object") return;
    for (const [key, value] of Object.entries(node)) {
      if (key === "Column" && typeof value === "string") names.add(value);
      else if (key === "ByName" && value !== null && typeof value === "object") {
        const listed = (value as { names?: unknown }).names;
        if (Array.isArray(listed)) {
          for (const name of listed) if (typeof name === "string") names.add(name);
        }
      } else visit(value);
    }
  };
  visit(tree);
  return [...names];
}

function describeColumns(frame: DataFrame): string {
  const names = frame.columns;
  const dtypes = frame.dtypes;
  const label = (index: number): string => String(dtypes[index]).replace(/^DataType\((.*)\)$/, "$1");
  return names.map((name, index) => `${name}: ${label(index)}`).join(", ") || "none";
}
