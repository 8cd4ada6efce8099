import pl, { type Expr } from "nodejs-polars";

/** The three routes both the loop and the router apply: a destination key prefix and a Polars filter. */
export interface BenchRoute {
  name: string;
  prefix: string;
  filter: Expr;
}

export const BENCH_ROUTES: readonly BenchRoute[] = [
  { name: "A", prefix: "a:", filter: pl.col("region").str.startsWith("eu") },
  { name: "B", prefix: "b:", filter: pl.col("region").str.startsWith("eu").not() },
  {
    name: "analytics",
    prefix: "an:",
    filter: pl
      .col("table")
      .isIn(["orders", "payments", "refunds"])
      .and(pl.col("amount").cast(pl.Float64).gt(2500)),
  },
];

/** Entries per read, for both: the "batch 1000". */
export const BATCH_SIZE = 1000;

/** Destinations live in database 1 of the bench server (flushed before each run); the source in database 0. */
export const DESTINATION_DB = 1;
