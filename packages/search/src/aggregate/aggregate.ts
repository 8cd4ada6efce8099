import {
  type DtypeInput,
  InvalidArgumentError,
  type OnError,
  type RedisArgument,
  type RedisConnection,
  type RedisReply,
  type SchemaInput,
} from "@polars-redis/core";
import {
  parseFloat64,
  parseInt64,
  resolveSchema,
  streamEntriesToFrame,
  toPolarsDtype,
} from "@polars-redis/core/internal";
import pl, { type DataFrame } from "nodejs-polars";
import { indexInfo } from "../index/index-info.js";
import { cursorPages } from "../internal/cursor-pages.js";
import { assertClusterLayout } from "../internal/ft-call.js";
import { AGGREGATE_OPTION_NAMES, checkCall } from "../internal/option-names.js";
import type { ParamValue, Query } from "../query/query.js";
import { paramsArgs, queryAndParams, resolveSort, type SortSpec } from "../search/search-hashes.js";

/** RediSearch's GROUPBY reducers. */
export type ReducerName =
  | "count"
  | "count_distinct"
  | "count_distinctish"
  | "sum"
  | "min"
  | "max"
  | "avg"
  | "stddev"
  | "quantile"
  | "tolist"
  | "first_value"
  | "random_sample";

/** One REDUCE: `{ fn: "sum", field: "amount", as: "total" }`; `args` are extra arguments (QUANTILE's 0.5). */
export interface Reducer {
  readonly fn: ReducerName;
  readonly field?: string | undefined;
  readonly args?: readonly (string | number)[] | undefined;
  readonly as: string;
}

/** One step of an FT.AGGREGATE pipeline, in the order given. */
export type AggregateStep =
  | { readonly groupBy: readonly string[]; readonly reduce?: readonly Reducer[] | undefined }
  | { readonly apply: string; readonly as: string }
  | { readonly filter: string }
  | { readonly sortBy: readonly SortSpec[]; readonly max?: number | undefined }
  | { readonly limit: number; readonly offset?: number | undefined };

export interface AggregateOptions {
  readonly index: string;
  readonly query?: Query | string | undefined;
  readonly params?: Readonly<Record<string, ParamValue>> | undefined;
  /** Fields to LOAD from the documents (non-SORTABLE fields an APPLY or GROUPBY needs). */
  readonly load?: readonly string[] | undefined;
  /** Shorthand for the pipeline, run in this order: apply, groupBy + reduce, filter, sortBy, limit. */
  readonly apply?: ReadonlyArray<{ readonly expr: string; readonly as: string }> | undefined;
  readonly groupBy?: readonly string[] | undefined;
  readonly reduce?: readonly Reducer[] | undefined;
  readonly filter?: string | undefined;
  readonly sortBy?: readonly SortSpec[] | SortSpec | undefined;
  readonly limit?: number | undefined;
  readonly offset?: number | undefined;
  /** The pipeline, step by step (instead of the shorthand above). */
  readonly steps?: readonly AggregateStep[] | undefined;
  /**
   * Column → dtype. Columns not named are typed from their values: Int64 when every value is an integer,
   * Float64 when every value is a number, Utf8 otherwise (TOLIST results as JSON text).
   */
  readonly schema?: SchemaInput | undefined;
  /** Rows per cursor read (WITHCURSOR COUNT). [1000] */
  readonly batchSize?: number | undefined;
  readonly onError?: OnError | undefined;
  /** Server-side time limit, ms [0: none; see SearchOptions.timeoutMs for why]. */
  readonly timeoutMs?: number | undefined;
  readonly signal?: AbortSignal | undefined;
}

function invalid(argument: string, message: string): never {
  throw new InvalidArgumentError(argument, message);
}

const REDUCERS = new Set<string>([
  "count",
  "count_distinct",
  "count_distinctish",
  "sum",
  "min",
  "max",
  "avg",
  "stddev",
  "quantile",
  "tolist",
  "first_value",
  "random_sample",
]);

function property(name: unknown, argument: string): string {
  if (typeof name !== "string" || name === "" || name === "@") invalid(argument, "expected a field name");
  return name.startsWith("@") ? name : `@${name}`;
}

function reducerArgs(r: Reducer, i: number): string[] {
  if (r === null || typeof r !== "object") invalid(`reduce[${i}]`, "expected { fn, field, as }");
  const fn = String(r.fn).toLowerCase();
  if (!REDUCERS.has(fn))
    invalid(`reduce[${i}].fn`, `unknown reducer ${String(r.fn)} (known: ${[...REDUCERS].join(", ")})`);
  if (typeof r.as !== "string" || r.as === "")
    invalid(`reduce[${i}].as`, "every reducer needs an output name");
  const args: string[] = [];
  if (fn !== "count") args.push(property(r.field, `reduce[${i}].field`));
  for (const extra of r.args ?? []) args.push(String(extra));
  if (fn === "quantile" && args.length !== 2)
    invalid(`reduce[${i}].args`, "quantile needs one argument, e.g. [0.5]");
  return ["REDUCE", fn.toUpperCase(), String(args.length), ...args, "AS", r.as];
}

function stepArgs(step: AggregateStep, i: number): string[] {
  if ("groupBy" in step) {
    if (!Array.isArray(step.groupBy)) invalid(`steps[${i}].groupBy`, "expected an array of fields");
    return [
      "GROUPBY",
      String(step.groupBy.length),
      ...step.groupBy.map((f) => property(f, `steps[${i}].groupBy`)),
      ...(step.reduce ?? []).flatMap(reducerArgs),
    ];
  }
  if ("apply" in step) {
    if (typeof step.apply !== "string" || step.apply === "")
      invalid(`steps[${i}].apply`, "expected an expression");
    if (typeof step.as !== "string" || step.as === "")
      invalid(`steps[${i}].as`, "APPLY needs an output name");
    return ["APPLY", step.apply, "AS", step.as];
  }
  if ("filter" in step) {
    if (typeof step.filter !== "string" || step.filter === "")
      invalid(`steps[${i}].filter`, "expected an expression");
    return ["FILTER", step.filter];
  }
  if ("sortBy" in step) {
    const specs = step.sortBy.map((s) => resolveSort(s)!);
    const args = [
      "SORTBY",
      String(specs.length * 2),
      ...specs.flatMap((s) => [`@${s.field}`, s.descending ? "DESC" : "ASC"]),
    ];
    if (step.max !== undefined) args.push("MAX", String(step.max));
    return args;
  }
  if ("limit" in step) {
    if (!Number.isInteger(step.limit) || step.limit < 0)
      invalid(`steps[${i}].limit`, "expected a non-negative integer");
    return ["LIMIT", String(step.offset ?? 0), String(step.limit)];
  }
  return invalid(`steps[${i}]`, "expected groupBy, apply, filter, sortBy or limit");
}

/** The pipeline steps of the shorthand options. */
function shorthandSteps(o: AggregateOptions): AggregateStep[] {
  const steps: AggregateStep[] = [];
  for (const a of o.apply ?? []) steps.push({ apply: a.expr, as: a.as });
  if (o.groupBy !== undefined || o.reduce !== undefined)
    steps.push({ groupBy: o.groupBy ?? [], reduce: o.reduce });
  if (o.filter !== undefined) steps.push({ filter: o.filter });
  if (o.sortBy !== undefined) {
    const sortBy = Array.isArray(o.sortBy) ? (o.sortBy as SortSpec[]) : [o.sortBy as SortSpec];
    // Without MAX, RediSearch keeps only the first 10 sorted rows; keep as many as the limit asks.
    steps.push({ sortBy, max: o.limit !== undefined ? (o.offset ?? 0) + o.limit : undefined });
  }
  if (o.limit !== undefined) steps.push({ limit: o.limit, offset: o.offset });
  return steps;
}

/** The FT.AGGREGATE arguments (after the command name). */
export function aggregateArgs(options: AggregateOptions, cursorCount?: number): RedisArgument[] {
  if (typeof options.index !== "string" || options.index === "") invalid("index", "expected an index name");
  const { query, params } = queryAndParams(options.query, options.params);
  if (
    options.steps !== undefined &&
    (options.groupBy ??
      options.reduce ??
      options.apply ??
      options.filter ??
      options.sortBy ??
      options.limit) !== undefined
  )
    invalid(
      "steps",
      "give either steps or the shorthand options (groupBy, reduce, apply, filter, sortBy, limit), not both",
    );
  const args: RedisArgument[] = [options.index, query];
  if (options.load !== undefined && options.load.length > 0)
    args.push("LOAD", String(options.load.length), ...options.load.map((f) => property(f, "load")));
  (options.steps ?? shorthandSteps(options)).forEach((step, i) => {
    args.push(...stepArgs(step, i));
  });
  if (cursorCount !== undefined) args.push("WITHCURSOR", "COUNT", String(cursorCount));
  // TIMEOUT 0 unless asked: the server's default (500 ms, ON_TIMEOUT RETURN) silently truncates results.
  const timeout = options.timeoutMs ?? 0;
  if (!Number.isInteger(timeout) || timeout < 0)
    invalid("timeoutMs", `expected a non-negative integer, got ${String(timeout)}`);
  args.push("TIMEOUT", String(timeout));
  args.push(...paramsArgs(params), "DIALECT", "2");
  return args;
}

function text(value: RedisReply): string {
  if (value === null) return "";
  if (Array.isArray(value)) return JSON.stringify(value.map((v) => (Array.isArray(v) ? v : text(v))));
  return Buffer.isBuffer(value) ? value.toString("utf8") : String(value);
}

/** Int64 if every value reads as an integer, Float64 if every value reads as a number, else Utf8. */
function inferDtype(values: readonly string[]): DtypeInput {
  if (values.length === 0) return "utf8";
  if (values.every((v) => parseInt64(v) !== undefined)) return "int64";
  if (values.every((v) => parseFloat64(v) !== undefined)) return "float64";
  return "utf8";
}

/** Rows (flat [name, value, ...] arrays) → a typed frame through core's stream-entry columns. */
function rowsToFrame(
  rows: readonly RedisReply[][],
  declared: SchemaInput | undefined,
  onError: OnError,
): DataFrame {
  const names: string[] = [];
  const values = new Map<string, string[]>();
  const entries = rows.map((row) => {
    const fields: string[] = [];
    for (let i = 0; i + 1 < row.length; i += 2) {
      const name = text(row[i]!);
      const value = row[i + 1]!;
      if (value === null) continue;
      const valueText = text(value);
      if (!values.has(name)) {
        names.push(name);
        values.set(name, []);
      }
      values.get(name)!.push(valueText);
      fields.push(name, valueText);
    }
    return ["", fields] as const;
  });
  const given = new Map<string, DtypeInput>(
    (declared === undefined ? [] : resolveSchema(declared)).map((f) => [f.name, toPolarsDtype(f.dtype)]),
  );
  const schema: Array<readonly [string, DtypeInput]> = names.map((name) => [
    name,
    given.get(name) ?? inferDtype(values.get(name)!),
  ]);
  for (const [name, dtype] of given) if (!values.has(name)) schema.push([name, dtype]);
  if (schema.length === 0) return pl.DataFrame({});
  return streamEntriesToFrame(entries, {
    schema,
    includeId: false,
    includeTimestamp: false,
    onError,
    stream: "aggregate",
  }).frame;
}

/** Each cursor page of an FT.AGGREGATE as rows; the cursor is deleted if the caller stops early. */
async function* aggregatePages(
  conn: RedisConnection,
  options: AggregateOptions,
): AsyncGenerator<RedisReply[][]> {
  const count = options.batchSize ?? 1000;
  if (!Number.isInteger(count) || count < 1)
    invalid("batchSize", `expected a positive integer, got ${String(count)}`);
  const args = aggregateArgs(options, count);
  if (conn.kind === "cluster") {
    const info = await indexInfo(conn, options.index);
    if (info !== undefined) assertClusterLayout(conn, info.name, info.prefixes, "aggregate over");
  }
  yield* cursorPages(conn, options.index, args, count, options.signal);
}

/**
 * FT.AGGREGATE with a cursor (WITHCURSOR): one typed DataFrame per cursor page, so a large result never sits
 * in memory at once. Columns are typed by `schema`, else from their values (see AggregateOptions.schema);
 * a column's dtype is decided per page, so give a schema when pages must agree.
 */
export async function* scanAggregate(
  conn: RedisConnection,
  options: AggregateOptions,
): AsyncGenerator<DataFrame> {
  checkCall("scanAggregate", conn, options, AGGREGATE_OPTION_NAMES);
  for await (const rows of aggregatePages(conn, options))
    yield rowsToFrame(rows, options.schema, options.onError ?? "raise");
}

/** FT.AGGREGATE into one typed DataFrame (all cursor pages, typed together). */
export async function aggregate(conn: RedisConnection, options: AggregateOptions): Promise<DataFrame> {
  checkCall("aggregate", conn, options, AGGREGATE_OPTION_NAMES);
  const rows: RedisReply[][] = [];
  for await (const page of aggregatePages(conn, options)) rows.push(...page);
  return rowsToFrame(rows, options.schema, options.onError ?? "raise");
}
