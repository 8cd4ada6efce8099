import pl, { type DataFrame, type Series } from "nodejs-polars";
import type { ColumnData } from "./column-data.js";
import { columnToSeries } from "./column-to-series.js";

/** A named column of a batch, ready to become part of a frame. */
export interface NamedColumn {
  readonly name: string;
  readonly data: ColumnData;
}

/**
 * Builds a batch's DataFrame from its columns, in order: one Series per column, then one DataFrame call.
 * This is the single place where column storage becomes polars memory, so a faster route (Arrow IPC
 * written straight from the typed arrays, say) can replace it without changing any reader.
 */
export type FrameAssembler = (columns: readonly NamedColumn[]) => DataFrame;

export const assembleFrameFromSeries: FrameAssembler = (columns) => {
  const series: Series[] = columns.map((column) => columnToSeries(column.name, column.data));
  return pl.DataFrame(series);
};
