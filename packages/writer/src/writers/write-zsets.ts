import { InvalidArgumentError, type RedisConnection, type WriteResult } from "@polars-redis/core";
import type { DataFrame } from "nodejs-polars";
import { formatColumn } from "../frame/format-column.js";
import { requireColumn, requireNumericColumn } from "../frame/require-column.js";
import { checkWriteCall, resolveWriteOptions } from "../options/resolve-write-options.js";
import type { WriteOptions } from "../options/write-options.js";
import { writeCollection } from "./write-collections.js";

export interface WriteZsetsOptions extends WriteOptions {
  /** The column holding one member per row. ["member"] */
  memberColumn?: string | undefined;
  /** The numeric column holding the member's score. ["score"] */
  scoreColumn?: string | undefined;
}

/**
 * Writes sorted sets: one member and score per row, rows grouped by key (ZADD). Rows with a null member or
 * score are left out; a key with none left is reported as skipped. ±inf scores are kept; NaN is refused before
 * writing. "replace" (default) makes each sorted set exactly the members given, atomically; "append" adds or
 * re-scores members; "fail" skips existing keys. Every mode is idempotent.
 */
export async function writeZsets(
  connection: RedisConnection,
  frame: DataFrame,
  options: WriteZsetsOptions = {},
): Promise<WriteResult> {
  checkWriteCall("writeZsets", connection, frame, options);
  const settings = resolveWriteOptions(options, { ifExists: "replace" });
  const members = formatColumn(
    requireColumn(frame, options.memberColumn ?? "member", "memberColumn"),
    "memberColumn",
  );
  const scoreColumn = options.scoreColumn ?? "score";
  const scores = formatColumn(requireNumericColumn(frame, scoreColumn, "scoreColumn"), "scoreColumn");
  const nanRow = scores.indexOf("NaN");
  if (nanRow >= 0) {
    throw new InvalidArgumentError(
      "scoreColumn",
      `row ${nanRow} of ${JSON.stringify(scoreColumn)} is NaN, which is not a score`,
    );
  }
  return writeCollection(connection, frame, options, settings, {
    command: "ZADD",
    width: 2,
    itemOf: (row, into) => {
      const member = members[row];
      const score = scores[row];
      if (member != null && score != null) into.push(score, member);
    },
    description: `ZADD (sorted sets, ${settings.ifExists})`,
    idempotent: true,
  });
}
