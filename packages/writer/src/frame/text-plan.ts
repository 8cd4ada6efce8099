import pl, { type DataType, type Expr } from "nodejs-polars";
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
  const plan: TextPlan = { expressions, positions: names.map((name) => at.get(name)!) };

  if (planCache.size >= PLAN_CACHE_SIZE) planCache.delete(planCache.keys().next().value!);
  planCache.set(cacheKey, plan);
  return plan;
}
