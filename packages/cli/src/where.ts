import pl, { type DataFrame, type LazyDataFrame } from "nodejs-polars";
import { usageError } from "./cli-error.js";

/** The table name a `--where` predicate is evaluated against. */
const TABLE = "batch";

/**
 * A SQL predicate (`--where "age > 30 AND city = 'Paris'"`) applied to each batch of a scan.
 *
 * nodejs-polars 0.25.2 has no `sqlExpr` (SQL text → `pl.Expr`); its SQLContext runs whole queries. So each
 * batch is registered as a table and filtered with `SELECT * FROM batch WHERE (<predicate>)`. The predicate is
 * checked for syntax before anything is sent to Redis, and the result must keep exactly the batch's columns,
 * so a predicate cannot smuggle in another statement (`... ) UNION (SELECT ...`).
 */
export class SqlFilter {
  readonly predicate: string;
  private readonly query: string;

  constructor(predicate: string) {
    if (predicate.trim() === "") throw usageError("--where expects a SQL predicate, got an empty string");
    this.predicate = predicate;
    this.query = `SELECT * FROM ${TABLE} WHERE (${predicate})`;
    // Parse errors surface here: against a table without columns only "column not found" can fail later.
    const planned = pl.SQLContext({ [TABLE]: pl.DataFrame({}) }).execute(this.query);
    const failure = sqlFailure(planned);
    if (failure !== undefined) throw invalid(predicate, failure);
  }

  apply(frame: DataFrame): DataFrame {
    let result: DataFrame;
    try {
      const planned = pl.SQLContext({ [TABLE]: frame }).execute(this.query);
      const failure = sqlFailure(planned);
      if (failure !== undefined) throw new Error(failure);
      result = planned.collectSync();
    } catch (error) {
      throw invalid(this.predicate, error instanceof Error ? error.message : String(error), frame.columns);
    }
    const expected = frame.columns.join("\u0000");
    if (result.columns.join("\u0000") !== expected) {
      throw invalid(this.predicate, "the predicate changed the columns; give a WHERE condition only");
    }
    return result;
  }
}

/** The SQL error of a planned query: nodejs-polars returns (does not throw) the native error for bad SQL. */
function sqlFailure(planned: LazyDataFrame): string | undefined {
  const inner = (planned as unknown as { _ldf?: unknown })._ldf;
  return inner instanceof Error ? inner.message : undefined;
}

function invalid(predicate: string, reason: string, columns?: readonly string[]) {
  // Positions refer to the wrapping SELECT, not to what the user typed: leave them out.
  const first = reason
    .split("\n")[0]!
    .replace(/ at Line: \d+, Column: \d+/, "")
    .trim();
  return usageError(
    `--where ${JSON.stringify(predicate)} is not a valid SQL predicate: ${first}`,
    columns === undefined || first.includes("valid columns")
      ? undefined
      : `the columns are: ${columns.join(", ")}`,
  );
}
