import { InvalidArgumentError } from "../errors/invalid-argument-error.js";
import { resolveSchema, type SchemaField } from "../schema/schema.js";

/** A scan's schema and the part of it the scan reads. */
export interface SchemaProjection {
  /** Every field of the schema; without a schema, the `columns` as Utf8 fields. */
  readonly schemaFields: readonly SchemaField[];
  /** The fields to read, in column order. */
  readonly fields: readonly SchemaField[];
  /** True when `columns` chose the fields, so a reader may fetch only those. */
  readonly projected: boolean;
}

/**
 * The `schema` and `columns` options of a scan, validated together: the schema's fields, narrowed to
 * `columns` when given (which then must name schema fields). Without a schema, `columns` alone names the
 * fields and they are Utf8; without either, throws with `noSchemaMessage`.
 */
export function projectSchema(schema: unknown, columns: unknown, noSchemaMessage: string): SchemaProjection {
  const projection = columns === undefined ? undefined : columnList(columns);
  if (schema === undefined) {
    if (projection === undefined) throw new InvalidArgumentError("schema", noSchemaMessage);
    const fields = projection.map((name): SchemaField => ({ name, dtype: { kind: "utf8" } }));
    return { schemaFields: fields, fields, projected: true };
  }
  const schemaFields = resolveSchema(schema);
  if (schemaFields.length === 0) throw new InvalidArgumentError("schema", "the schema has no fields");
  if (projection === undefined) return { schemaFields, fields: schemaFields, projected: false };
  const byName = new Map(schemaFields.map((field) => [field.name, field]));
  const fields = projection.map((name) => {
    const field = byName.get(name);
    if (field === undefined) {
      throw new InvalidArgumentError(
        "columns",
        `${JSON.stringify(name)} is not in the schema (${schemaFields.map((f) => f.name).join(", ")})`,
      );
    }
    return field;
  });
  return { schemaFields, fields, projected: true };
}

function columnList(columns: unknown): string[] {
  if (
    !Array.isArray(columns) ||
    columns.length === 0 ||
    columns.some((name) => typeof name !== "string" || name === "")
  ) {
    throw new InvalidArgumentError("columns", "expected a non-empty array of column names");
  }
  if (new Set(columns).size !== columns.length)
    throw new InvalidArgumentError("columns", "a column is listed twice");
  return columns as string[];
}
