import pl, { type Expr } from "nodejs-polars";

/**
 * The three routes of every run, as in the routing guide: A takes European rows, B the others, analytics the
 * money moves over 2,500. The router evaluates these expressions per batch; the final check evaluates the very
 * same expressions over the whole source.
 */
export const ROUTES: readonly { name: string; filter: Expr }[] = [
  { name: "A", filter: pl.col("region").str.startsWith("eu") },
  { name: "B", filter: pl.col("region").str.startsWith("eu").not() },
  {
    name: "analytics",
    filter: pl.col("table").isIn(["orders", "payments", "refunds"]).and(pl.col("amount").gt(2500)),
  },
];

/** The source schema: deletes carry no amount, which is a null Float64 here, not a missing column. */
export const SOURCE_SCHEMA = {
  op: pl.Utf8,
  table: pl.Utf8,
  id: pl.Utf8,
  region: pl.Utf8,
  amount: pl.Float64,
};

/** The hash at each destination counting writes per source entry (`<stream>/<id>` → writes). */
export const WRITES_KEY = "soak:writes";
