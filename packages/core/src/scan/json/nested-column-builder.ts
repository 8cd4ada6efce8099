import pl, { type Series } from "nodejs-polars";
import { type ScanDtype, toPolarsDtype } from "../../schema/dtype.js";
import { toJsonText } from "./json-text.js";

/**
 * Collects the normalized values of a chunk's List/Struct columns and turns them into Series in one go.
 *
 * nodejs-polars cannot build nested Series from JS values reliably (struct rows that are null, lists of
 * structs, lists of lists, lists of dates and bigint lists all throw), so the values are written as one NDJSON
 * document per row and read by polars' own JSON reader, which handles every nesting and exact 64-bit integers;
 * each column is then cast from the physical types it was written in (epoch days, epoch integers) to its dtype.
 */
export class NestedColumnBuilder {
  private readonly dtypes: readonly ScanDtype[];
  private lines: string[] = [];

  constructor(dtypes: readonly ScanDtype[]) {
    this.dtypes = dtypes;
  }

  get length(): number {
    return this.lines.length;
  }

  /** One row: a normalized value (or null) per nested column, in constructor order. */
  appendRow(values: readonly unknown[]): void {
    let line = "{";
    for (let index = 0; index < values.length; index++) {
      line += `${index === 0 ? "" : ","}"c${index}":${toJsonText(values[index])}`;
    }
    this.lines.push(`${line}}`);
  }

  /** The columns' Series (named c0, c1, ...; the engine renames them), and a fresh start. */
  finish(): Series[] {
    const lines = this.lines;
    this.lines = [];
    // No rows: read one row of nulls and keep none of it (nodejs-polars cannot make an empty List Series).
    const text =
      lines.length > 0
        ? lines.join("\n")
        : `{${this.dtypes.map((_, index) => `"c${index}":null`).join(",")}}`;
    // Every row spells out every column, so the reader sees each of them; inferring from all rows (not the
    // first 100) keeps a late first non-null value from being read as Null.
    const frame = pl.readJSON(Buffer.from(text), { format: "lines", inferSchemaLength: null });
    const rows = lines.length > 0 ? frame : frame.slice(0, 0);
    return this.dtypes.map((dtype, index) => rows.getColumn(`c${index}`).cast(toPolarsDtype(dtype)));
  }
}
