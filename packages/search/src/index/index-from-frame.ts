import { InvalidArgumentError } from "@polars-redis/core";
import { checkDataFrame, checkOptions, isNumericDtype } from "@polars-redis/core/internal";
import type { DataFrame } from "nodejs-polars";
import { INDEX_FROM_FRAME_OPTION_NAMES } from "../internal/option-names.js";
import { field, type IndexField } from "./fields.js";
import { defineIndex, type IndexDefinition } from "./manage-index.js";

export interface IndexFromFrameOptions {
  readonly name: string;
  readonly prefixes?: readonly string[] | undefined;
  /** String columns to index as TEXT (full-text) instead of TAG. */
  readonly textFields?: readonly string[] | undefined;
  /** Columns to make SORTABLE. */
  readonly sortable?: readonly string[] | undefined;
  /** Columns to leave out [the key column "_key"]. */
  readonly exclude?: readonly string[] | undefined;
}

const STRING = new Set(["Utf8", "String", "Categorical", "Enum"]);

/**
 * An index definition derived from a frame's dtypes: numbers → NUMERIC, strings → TAG (or TEXT when listed
 * in `textFields`), Boolean → TAG. Other dtypes (dates, lists, structs) are not indexed: the result's
 * `skipped` names them, so nothing is left out silently.
 */
export function indexFromFrame(
  frame: DataFrame,
  options: IndexFromFrameOptions,
): IndexDefinition & { readonly skipped: readonly string[] } {
  checkDataFrame(frame, { function: "indexFromFrame" });
  if (options === undefined) throw new InvalidArgumentError("options", "indexFromFrame needs { name }");
  checkOptions(options, INDEX_FROM_FRAME_OPTION_NAMES, { function: "indexFromFrame" });
  const exclude = new Set(options.exclude ?? ["_key"]);
  const textFields = new Set(options.textFields ?? []);
  const sortable = new Set(options.sortable ?? []);
  for (const name of [...textFields, ...sortable])
    if (!frame.columns.includes(name))
      throw new InvalidArgumentError(
        "options",
        `column "${name}" is not in the frame (${frame.columns.join(", ")})`,
      );
  const fields: IndexField[] = [];
  const skipped: string[] = [];
  for (const name of frame.columns) {
    if (exclude.has(name)) continue;
    const columnDtype = frame.getColumn(name).dtype;
    const dtype = String(columnDtype.variant);
    const extra = sortable.has(name) ? { sortable: true } : {};
    if (isNumericDtype(columnDtype)) fields.push(field.numeric(name, extra));
    else if (STRING.has(dtype))
      fields.push(textFields.has(name) ? field.text(name, extra) : field.tag(name, extra));
    else if (dtype === "Bool" || dtype === "Boolean") fields.push(field.tag(name, extra));
    else skipped.push(name);
  }
  const definition = defineIndex({ name: options.name, prefixes: options.prefixes, fields });
  return { ...definition, skipped };
}
