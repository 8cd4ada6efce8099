import type { ScanDtype } from "../../schema/dtype.js";
import type { ColumnPath } from "./json-path.js";

/** One column of a JSON scan: its name, dtype and the JSONPath it reads. */
export interface JsonColumn extends ColumnPath {
  readonly name: string;
  readonly dtype: ScanDtype;
  /** List or Struct: built through the nested column builder, not a flat ColumnBuilder. */
  readonly nested: boolean;
}
