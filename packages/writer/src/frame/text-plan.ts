import { InvalidArgumentError } from "@polars-redis/core";
import pl, { type DataFrame, type DataType, type Expr } from "nodejs-polars";
import { arrowTextColumns } from "./arrow-text-column.js";
import { applyTextConversion, type TextConversion, textConversion } from "./format-column.js";

/**
 * How a set of columns becomes text in a few expressions: one per kind of conversion, each selecting all its
 * columns at once (`pl.col([...names])`). nodejs-polars spends most of a millisecond building each Expr, so
 * one Expr per column would cost a wide frame seconds and every small write several milliseconds.
 */
export interface TextPlan {
  readonly expressions: readonly Expr[];
  /** For each column, in the order asked for: its position among the columns the expressions produce. */
  readonly positions: readonly number[];
  /** The columns the expressions produce, in order. */
  readonly produced: readonly string[];
}

/** Plans kept for reuse: a sink writes batch after batch with the same columns. */
const PLAN_CACHE_SIZE = 64;
const planCache = new Map<string, TextPlan>();

/** The text plan for `names` (with their dtypes); bad dtypes throw an InvalidArgumentError naming `option`. */
export function textPlan(
  names: readonly string[],
  dtypes: ReadonlyMap<string, DataType>,
  option: string,
): TextPlan {
  const cacheKey = `${option}\u0000${names.map((name) => `${name}\u0000${String(dtypes.get(name))}`).join("\u0000")}`;
  const cached = planCache.get(cacheKey);
  if (cached !== undefined) return cached;

  const groups = new Map<string, { conversion: TextConversion; names: string[] }>();
  for (const name of names) {
    const conversion = textConversion(name, dtypes.get(name)!, option);
    const groupKey = JSON.stringify(conversion);
    let group = groups.get(groupKey);
    if (group === undefined) {
      group = { conversion, names: [] };
      groups.set(groupKey, group);
    }
    group.names.push(name);
  }
  const produced: string[] = [];
  const expressions: Expr[] = [];
  for (const group of groups.values()) {
    expressions.push(applyTextConversion(group.conversion, pl.col(group.names)));
    produced.push(...group.names);
  }
  const at = new Map(produced.map((name, position) => [name, position]));
  const plan: TextPlan = { expressions, positions: names.map((name) => at.get(name)!), produced };

  if (planCache.size >= PLAN_CACHE_SIZE) planCache.delete(planCache.keys().next().value!);
  planCache.set(cacheKey, plan);
  return plan;
}

/** Extremes kept for reuse, per set of date/time columns. */
const extremesCache = new Map<string, Expr[]>();

/**
 * Formats the smallest and largest value of every Date and Datetime column among `names`, so that a value Polars
 * cannot format (a date past the range its calendar handles) fails here, before anything is written, with the
 * column named. Values in between format whenever the extremes do. Other conversions cannot fail.
 */
export function assertFormattable(
  frame: DataFrame,
  names: readonly string[],
  dtypes: ReadonlyMap<string, DataType>,
  option: string,
): void {
  const temporal = names.filter((name) => ["Date", "Datetime"].includes(dtypes.get(name)!.variant));
  if (temporal.length === 0 || frame.height === 0) return;
  const cacheKey = temporal.join("\u0000");
  let extremes = extremesCache.get(cacheKey);
  if (extremes === undefined) {
    extremes = [pl.col(temporal).min(), pl.col(temporal).max()];
    if (extremesCache.size >= PLAN_CACHE_SIZE) extremesCache.delete(extremesCache.keys().next().value!);
    extremesCache.set(cacheKey, extremes);
  }
  const bounds = pl.concat([frame.select(extremes[0]!), frame.select(extremes[1]!)]);
  for (const name of temporal) {
    try {
      arrowTextColumns(bounds, textPlan([name], dtypes, option).expressions, [name]);
    } catch (error) {
      throw new InvalidArgumentError(
        option,
        `column ${JSON.stringify(name)} holds a value Polars cannot write as text (${(error as Error).message}); its range is outside what a ${String(dtypes.get(name)).replace(/^DataType\((.*)\)$/, "$1")} can be formatted as`,
      );
    }
  }
}
