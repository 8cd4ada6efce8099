import pl, { type DataFrame } from "nodejs-polars";
import type { ResolvedFrameOptions } from "./stream-frame-options.js";

/**
 * Gives every batch of a consumer the same columns. With a schema (or a projection) core already builds every
 * declared field, present or not. Without one, each field is Utf8 and a batch would only have the fields its
 * entries carry: here every field seen so far in this consumer's life is a column of every later batch (null
 * where absent), in the order first seen, after the metadata columns. So an expression over a field that some
 * events omit (deletes without `amount`) does not fail on a batch where no event has it.
 */
export class StableColumns {
  private readonly fields: string[] = [];
  private readonly known = new Set<string>();
  private readonly metadata: ReadonlySet<string>;
  private readonly declared: boolean;

  constructor(private readonly options: ResolvedFrameOptions) {
    this.metadata = new Set(options.metadataColumns);
    this.declared = options.entries.schema !== undefined || options.entries.columns !== undefined;
  }

  /** Field columns every batch has had so far (declared ones excluded). */
  get seenFields(): readonly string[] {
    return this.fields;
  }

  apply(frame: DataFrame): DataFrame {
    if (this.declared) return frame;
    const columns = frame.columns;
    const present = new Set(columns);
    for (const name of columns) {
      if (this.metadata.has(name) || this.known.has(name)) continue;
      this.known.add(name);
      this.fields.push(name);
    }
    const wanted = [...this.options.metadataColumns.filter((name) => present.has(name)), ...this.fields];
    if (wanted.length === columns.length && wanted.every((name, i) => name === columns[i])) return frame;
    const missing = this.fields.filter((name) => !present.has(name));
    const filled =
      missing.length === 0
        ? frame
        : frame.withColumns(...missing.map((name) => pl.lit(null).cast(pl.Utf8).alias(name)));
    return filled.select(...wanted);
  }
}
