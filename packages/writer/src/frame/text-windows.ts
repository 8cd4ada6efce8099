import type { DataFrame } from "nodejs-polars";
import { type ArrowTextColumn, arrowTextColumns } from "./arrow-text-column.js";
import type { TextPlan } from "./text-plan.js";

/** Windows kept at once: the one being encoded and the one before it (a batch may straddle two). */
const WINDOWS_KEPT = 2;

/**
 * A frame's values as text bytes (see arrowTextColumns), converted a window of rows at a time, when first asked for.
 * Converting the whole frame up front would keep the server idle while the client formats every value, and
 * hold the text of every row at once; windows let the conversion of the next rows overlap the server's work
 * on the previous ones, and keep only a window or two in memory.
 */
export class TextWindows {
  private readonly kept = new Map<number, readonly ArrowTextColumn[]>();

  constructor(
    private readonly frame: DataFrame,
    private readonly plan: TextPlan,
    readonly windowRows: number,
  ) {}

  /** The byte columns (one per planned column, in order) of the window holding `row`; the row's position in them is `row - windowStart(row)`. */
  columnsAt(row: number): readonly ArrowTextColumn[] {
    const window = Math.floor(row / this.windowRows);
    let columns = this.kept.get(window);
    if (columns === undefined) {
      const slice = this.frame.slice(window * this.windowRows, this.windowRows);
      const produced = arrowTextColumns(slice, this.plan.expressions, this.plan.produced);
      columns = this.plan.positions.map((position) => produced[position]!);
      if (this.kept.size >= WINDOWS_KEPT) this.kept.delete(this.kept.keys().next().value!);
      this.kept.set(window, columns);
    }
    return columns;
  }

  windowStart(row: number): number {
    return row - (row % this.windowRows);
  }
}
