import { requireScalarDtype, resolveDtype, type ScalarDtype, type ScanDtype } from "../schema/dtype.js";
import { projectSchema } from "./schema-projection.js";

/** A schema field whose dtype is flat (what hashes, strings, sets, lists, zsets and streams hold). */
export interface ScalarField {
  readonly name: string;
  readonly dtype: ScalarDtype;
}

/**
 * The fields a hash or stream scan reads: the schema's fields, narrowed to `columns` when given (which
 * then must name schema fields). Without a schema, `columns` alone names the fields and they are Utf8.
 * Every schema field must be flat, read or not.
 */
export function resolveFields(
  schema: unknown,
  columns: unknown,
  typeName: string,
): { fields: ScalarField[]; projected: boolean } {
  const { schemaFields, fields, projected } = projectSchema(
    schema,
    columns,
    `${typeName} scans need a schema (field → dtype) or a list of columns to read as Utf8; inferHashSchema() can propose a schema`,
  );
  for (const field of schemaFields) requireScalarDtype(field.dtype, `schema.${field.name}`);
  // Every schema field was just checked to be flat.
  return { fields: fields as ScalarField[], projected };
}

/** A dtype option such as `valueType`, resolved and required to be flat. */
export function resolveScalarDtype(input: unknown, argument: string, fallback: ScalarDtype): ScalarDtype {
  return input === undefined ? fallback : requireScalarDtype(resolveDtype(input, argument), argument);
}

/** Narrows a column's dtype to a flat one (readers of flat values only ever declare flat columns). */
export function requireScalar(dtype: ScanDtype): ScalarDtype {
  return requireScalarDtype(dtype, "columns");
}
