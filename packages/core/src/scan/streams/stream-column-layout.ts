import type { SchemaInput } from "../../schema/schema.js";
import { optionNames } from "../../validation/option-names.js";
import { resolveFields, type ScalarField } from "../scalar-field.js";
import { optionalColumn } from "../scan-options.js";
import type { ColumnSpec } from "../scan-reader.js";

/** The options that say which columns stream entries become (`scanStreams` and `streamEntriesToFrame`). */
export interface StreamLayoutOptions {
  /** Field → dtype. Without a schema (and without `columns`), every field found becomes a Utf8 column. */
  schema?: SchemaInput | undefined;
  /** Read only these fields (schema fields when a schema is given, else Utf8). */
  columns?: readonly string[] | undefined;
  /** Add the entry id, Utf8. [true] */
  includeId?: boolean | undefined;
  /** ["_id"] */
  idColumn?: string | undefined;
  /** Add the id's time part, Datetime("ms"). [true] */
  includeTimestamp?: boolean | undefined;
  /** ["_ts"] */
  timestampColumn?: string | undefined;
  /** Add the id's sequence part, Int64. [false] */
  includeSequence?: boolean | undefined;
  /** ["_seq"] */
  sequenceColumn?: string | undefined;
}

/** The names of StreamLayoutOptions, for checkOptions (shared by core's scanStreams and the streams package). */
export const STREAM_LAYOUT_OPTION_NAMES = optionNames<StreamLayoutOptions>()([
  "schema",
  "columns",
  "includeId",
  "idColumn",
  "includeTimestamp",
  "timestampColumn",
  "includeSequence",
  "sequenceColumn",
]);

/** Which columns stream entries become. */
export interface StreamColumnLayout {
  /** Entry id as Utf8 ("1700000000000-0"), or undefined to leave it out. */
  readonly idColumn: string | undefined;
  /** The id's millisecond part as Datetime("ms"), or undefined. */
  readonly timestampColumn: string | undefined;
  /** The id's sequence part as Int64, or undefined. */
  readonly sequenceColumn: string | undefined;
  /** The fields to read, with dtypes; `undefined` means every field found, as Utf8, in order of appearance. */
  readonly fields: readonly ScalarField[] | undefined;
}

/** Validates the layout options; throws InvalidArgumentError before any I/O. */
export function resolveStreamLayout(options: StreamLayoutOptions): StreamColumnLayout {
  const fields =
    options.schema === undefined && options.columns === undefined
      ? undefined
      : resolveFields(options.schema, options.columns, "stream").fields;
  return {
    idColumn: optionalColumn(options, "includeId", true, "idColumn", "_id"),
    timestampColumn: optionalColumn(options, "includeTimestamp", true, "timestampColumn", "_ts"),
    sequenceColumn: optionalColumn(options, "includeSequence", false, "sequenceColumn", "_seq"),
    fields,
  };
}

/** The declared columns of a layout (the id columns, then the schema's fields). */
export function streamColumnSpecs(layout: StreamColumnLayout): ColumnSpec[] {
  const specs: ColumnSpec[] = [];
  if (layout.idColumn !== undefined) specs.push({ name: layout.idColumn, dtype: { kind: "utf8" } });
  if (layout.timestampColumn !== undefined) {
    specs.push({ name: layout.timestampColumn, dtype: { kind: "datetime", unit: "ms", timeZone: null } });
  }
  if (layout.sequenceColumn !== undefined)
    specs.push({ name: layout.sequenceColumn, dtype: { kind: "int64" } });
  for (const field of layout.fields ?? []) specs.push(field);
  return specs;
}
