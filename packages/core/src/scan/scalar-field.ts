import { InvalidArgumentError } from "../errors/invalid-argument-error.js";
import { requireScalarDtype, resolveDtype, type ScalarDtype, type ScanDtype } from "../schema/dtype.js";
import { resolveSchema } from "../schema/schema.js";

/** A schema field whose dtype is flat (what hashes, strings, sets, lists, zsets and streams hold). */
export interface ScalarField {
  readonly name: string;
  readonly dtype: ScalarDtype;
}

/**
 * The fields a hash or stream scan reads: the schema's fields, narrowed to `columns` when given (which
 * then must name schema fields). Without a schema, `columns` alone names the fields and they are Utf8.
 */
export function resolveFields(
  schema: unknown,
  columns: unknown,
  typeName: string,
): { fields: ScalarField[]; projected: boolean } {
  const projection = columns === undefined ? undefined : columnList(columns);
  if (schema === undefined) {
    if (projection === undefined) {
      throw new InvalidArgumentError(
        "schema",
        `${typeName} scans need a schema (field → dtype) or a list of columns to read as Utf8; inferHashSchema() can propose a schema`,
      );
    }
    return { fields: projection.map((name) => ({ name, dtype: { kind: "utf8" } })), projected: true };
  }
  const all = resolveSchema(schema).map((field) => ({
    name: field.name,
    dtype: requireScalarDtype(field.dtype, `schema.${field.name}`),
  }));
  if (all.length === 0) throw new InvalidArgumentError("schema", "the schema has no fields");
  if (projection === undefined) return { fields: all, projected: false };
  const byName = new Map(all.map((field) => [field.name, field]));
  const fields = projection.map((name) => {
    const field = byName.get(name);
    if (!field) {
      throw new InvalidArgumentError(
        "columns",
        `${JSON.stringify(name)} is not in the schema (${all.map((f) => f.name).join(", ")})`,
      );
    }
    return field;
  });
  return { fields, projected: true };
}

/** A dtype option such as `valueType`, resolved and required to be flat. */
export function resolveScalarDtype(input: unknown, argument: string, fallback: ScalarDtype): ScalarDtype {
  return input === undefined ? fallback : requireScalarDtype(resolveDtype(input, argument), argument);
}

function columnList(columns: unknown): string[] {
  if (
    !Array.isArray(columns) ||
    columns.length === 0 ||
    columns.some((name) => typeof name !== "string" || name === "")
  ) {
    throw new InvalidArgumentError("columns", "expected a non-empty array of field names");
  }
  const unique = new Set(columns as string[]);
  if (unique.size !== columns.length) throw new InvalidArgumentError("columns", "a field is listed twice");
  return columns as string[];
}

/** Narrows a column's dtype to a flat one (readers of flat values only ever declare flat columns). */
export function requireScalar(dtype: ScanDtype): ScalarDtype {
  return requireScalarDtype(dtype, "columns");
}
