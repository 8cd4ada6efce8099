import { type RedisConnection, readHashes } from "@polars-redis/core";
import pl, { type DataFrame } from "nodejs-polars";
import { type Rule, withDestinationKey } from "./rules.js";

export interface DestinationCheck {
  rule: Rule;
  /** Rows the rule selects, computed with Polars over the whole source (one per key). */
  expected: number;
  /** Keys found at the destination. */
  stored: number;
  /** Destination rows equal, field for field, to the expected row of their key. */
  identical: number;
  ok: boolean;
}

const FIELDS = ["op", "table", "id", "region", "amount", "ts"];

/**
 * What a destination must hold, from the source alone: the rule's filter over every source entry, keyed the
 * way the route keys rows, and for "latest state" keys the last change of each row.
 */
export function expectedRows(source: DataFrame, rule: Rule): DataFrame {
  const keyed = withDestinationKey(rule)(source.filter(rule.filter));
  const rows =
    rule.keying === "latest-state"
      ? keyed.groupBy("_key").agg(...FIELDS.map((field) => pl.col(field).last()))
      : keyed;
  return rows.select("_key", ...FIELDS);
}

/** Compares a destination with its expected rows: same keys, same fields (a null field is an absent one). */
export async function checkDestination(
  destination: RedisConnection,
  source: DataFrame,
  rule: Rule,
): Promise<DestinationCheck> {
  const expected = expectedRows(source, rule);
  const stored = await readHashes(destination, { pattern: "*", columns: FIELDS });
  const fingerprint = (frame: DataFrame) =>
    frame.select(
      pl.col("_key"),
      pl
        .concatString(
          FIELDS.map((field) => pl.col(field).fillNull(pl.lit("<null>"))),
          "|",
        )
        .alias("row"),
    );
  const identical = fingerprint(expected).join(fingerprint(stored), {
    on: ["_key", "row"],
    how: "inner",
  }).height;
  return {
    rule,
    expected: expected.height,
    stored: stored.height,
    identical,
    ok: expected.height === stored.height && identical === expected.height,
  };
}
