import pl, { type DataFrame, type Expr } from "nodejs-polars";

/**
 * The source's fields. Declaring them gives every batch every column (a delete carries no `amount`: null, not
 * a missing column) and lets createRouter check each rule against the columns before anything runs. They stay
 * text here, so the destinations receive the producer's exact values (the final check compares them); the
 * analytics rule casts `amount` itself.
 */
export const SOURCE_SCHEMA = {
  op: pl.Utf8,
  table: pl.Utf8,
  id: pl.Utf8,
  region: pl.Utf8,
  amount: pl.Utf8,
  ts: pl.Utf8,
};

/**
 * The routing rules, written once as Polars expressions: the router evaluates them on every batch, and the
 * final check evaluates the very same expressions over the whole source stream.
 */
export interface Rule {
  /** Route and destination name. */
  name: string;
  /** What the rule means, for the report. */
  description: string;
  filter: Expr;
  /** How a routed row is keyed at the destination. */
  keying: "latest-state" | "every-event";
}

export const RULES: readonly Rule[] = [
  {
    name: "A",
    description: "European rows (region eu-*)",
    filter: pl.col("region").str.startsWith("eu"),
    keying: "latest-state",
  },
  {
    name: "B",
    description: "Americas and Asia (us-*, sa-*, ap-*)",
    filter: pl.col("region").str.startsWith("eu").not(),
    keying: "latest-state",
  },
  {
    name: "analytics",
    description: "money moves over 2,500 (orders, payments, refunds)",
    filter: pl
      .col("table")
      .isIn(["orders", "payments", "refunds"])
      .and(pl.col("amount").cast(pl.Float64).gt(2500)),
    keying: "every-event",
  },
];

/**
 * Destination keys: A and B hold the latest state of each source row (`<table>:<id>`, a change overwrites the
 * previous one, so per-route write order matters); analytics keeps every matching event (`evt:<entry id>`).
 */
export function withDestinationKey(rule: Rule): (frame: DataFrame) => DataFrame {
  const key =
    rule.keying === "latest-state"
      ? pl.concatString([pl.col("table"), pl.col("id")], ":")
      : pl.concatString([pl.lit("evt"), pl.col("_id")], ":");
  if (rule.keying === "every-event") return (frame) => frame.withColumns(key.alias("_key"));
  // Several changes of one row in a batch: only the last one is the row's state (and a destination key may be
  // written once per batch).
  return (frame) =>
    frame.withColumns(key.alias("_key")).unique({ subset: "_key", keep: "last", maintainOrder: true });
}
