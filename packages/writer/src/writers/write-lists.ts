import { InvalidArgumentError, type RedisConnection, type WriteResult } from "@polars-redis/core";
import type { DataFrame } from "nodejs-polars";
import { formatColumn, isNumericDtype } from "../frame/format-column.js";
import { requireColumn } from "../frame/require-column.js";
import { checkWriteCall, resolveWriteOptions } from "../options/resolve-write-options.js";
import type { WriteOptions } from "../options/write-options.js";
import { writeCollection } from "./write-collections.js";

export interface WriteListsOptions extends WriteOptions {
  /** The column holding one element per row. ["element"] */
  elementColumn?: string | undefined;
  /** A numeric column giving each element's position within its list; without it, frame order is kept. */
  indexColumn?: string | undefined;
}

/**
 * Writes lists: one element per row, rows grouped by key, in frame order or by `indexColumn` (RPUSH). Null
 * elements are left out; a key with none left is reported as skipped. "replace" (default) makes each list
 * exactly the elements given, atomically (safe to retry); "fail" skips existing keys (safe to retry);
 * "append" pushes onto existing lists, which is not idempotent: an append whose reply was lost is reported as an
 * AmbiguousWriteError and never re-sent automatically.
 */
export async function writeLists(
  connection: RedisConnection,
  frame: DataFrame,
  options: WriteListsOptions = {},
): Promise<WriteResult> {
  checkWriteCall("writeLists", connection, frame, options);
  const settings = resolveWriteOptions(options, { ifExists: "replace" });
  const elements = formatColumn(
    requireColumn(frame, options.elementColumn ?? "element", "elementColumn"),
    "elementColumn",
  );
  const positions = listPositions(frame, options.indexColumn);
  return writeCollection(connection, frame, options, settings, {
    command: "RPUSH",
    width: 1,
    itemOf: (row, into) => {
      const element = elements[row];
      if (element != null) into.push(element);
    },
    ...(positions
      ? { order: (rows: number[]) => [...rows].sort((a, b) => positions[a]! - positions[b]! || a - b) }
      : {}),
    description: `RPUSH (lists, ${settings.ifExists})`,
    idempotent: settings.ifExists !== "append",
  });
}

function listPositions(frame: DataFrame, indexColumn: string | undefined): Float64Array | undefined {
  if (indexColumn === undefined) return undefined;
  const series = requireColumn(frame, indexColumn, "indexColumn");
  if (!isNumericDtype(series) || series.nullCount() > 0) {
    throw new InvalidArgumentError(
      "indexColumn",
      `column ${JSON.stringify(indexColumn)} must be numeric without nulls`,
    );
  }
  return Float64Array.from(series.toArray() as number[], Number);
}
