import { InvalidArgumentError } from "@polars-redis/core";
import pl, { type DataFrame, type Series } from "nodejs-polars";
import { coerceColumn } from "./coerce-column.js";
import type { StreamEntry } from "./stream-entry.js";
import type { ResolvedFrameOptions } from "./stream-frame-options.js";

export interface EntriesFrame {
  frame: DataFrame;
  /** Field values that did not fit their dtype and became null (onError "null"). */
  nulled: number;
}

/**
 * Builds one DataFrame from stream entries, column by column: metadata columns first (`_stream`, `_id`,
 * `_ts`, `_seq`), then schema fields in schema order, then other fields in first-seen order (or exactly
 * `columns`). Schema fields are always present, so every batch of a reader has the same dtypes.
 */
export function entriesToFrame(entries: readonly StreamEntry[], options: ResolvedFrameOptions): EntriesFrame {
  const rows = entries.length;
  const wanted = options.columns === undefined ? undefined : new Set(options.columns);
  const fieldValues = new Map<string, (string | null)[]>();
  const order: string[] = [];
  const addField = (name: string): (string | null)[] => {
    const values = new Array<string | null>(rows).fill(null);
    fieldValues.set(name, values);
    order.push(name);
    return values;
  };
  if (options.columns !== undefined) for (const name of options.columns) addField(name);
  if (options.schema !== undefined) {
    for (const name of Object.keys(options.schema))
      if (!fieldValues.has(name) && (!wanted || wanted.has(name))) addField(name);
  }

  const ids = new Array<string>(rows);
  const millis = new Float64Array(rows);
  const sequences = new Float64Array(rows);
  for (let row = 0; row < rows; row++) {
    const entry = entries[row]!;
    ids[row] = entry.id;
    const dash = entry.id.indexOf("-");
    millis[row] = Number(dash < 0 ? entry.id : entry.id.slice(0, dash));
    sequences[row] = dash < 0 ? 0 : Number(entry.id.slice(dash + 1));
    const fields = entry.fields;
    for (let i = 0; i + 1 < fields.length; i += 2) {
      const name = String(fields[i]);
      let values = fieldValues.get(name);
      if (values === undefined) {
        if (wanted !== undefined) continue;
        values = addField(name);
      }
      values[row] = String(fields[i + 1]);
    }
  }

  const columns: Series[] = [];
  const metadata = new Set<string>();
  if (options.streamColumn !== undefined) {
    metadata.add(options.streamColumn);
    columns.push(
      pl.Series(
        options.streamColumn,
        entries.map((entry) => entry.stream),
        pl.Utf8,
      ),
    );
  }
  if (options.idColumn !== undefined) {
    metadata.add(options.idColumn);
    columns.push(pl.Series(options.idColumn, ids, pl.Utf8));
  }
  if (options.timestampColumn !== undefined) {
    metadata.add(options.timestampColumn);
    columns.push(pl.Series(options.timestampColumn, millis).cast(pl.Int64).cast(pl.Datetime("ms")));
  }
  if (options.sequenceColumn !== undefined) {
    metadata.add(options.sequenceColumn);
    columns.push(pl.Series(options.sequenceColumn, sequences).cast(pl.Int64));
  }

  let nulled = 0;
  for (const name of order) {
    if (metadata.has(name)) {
      throw new InvalidArgumentError(
        "idColumn",
        `entries have a field named ${JSON.stringify(name)}, which is also a metadata column; rename the metadata column (idColumn, timestampColumn, sequenceColumn, streamColumn)`,
      );
    }
    const dtype = options.schema?.[name] ?? pl.Utf8;
    const column = coerceColumn(name, fieldValues.get(name)!, dtype, options.onError, (row) => {
      const entry = entries[row]!;
      return `${entry.stream} entry ${entry.id}`;
    });
    nulled += column.nulled;
    columns.push(column.series);
  }
  return { frame: pl.DataFrame(columns), nulled };
}
