import { InvalidArgumentError } from "../errors/invalid-argument-error.js";
import { type DtypeInput, resolveDtype, type ScanDtype } from "./dtype.js";

/**
 * A user's schema: field name → dtype. An object keeps its key order (except integer-like names, which
 * JavaScript sorts first); pass an array of pairs or a Map when column order must follow exactly.
 */
export type SchemaInput =
  | Readonly<Record<string, DtypeInput>>
  | ReadonlyArray<readonly [string, DtypeInput]>
  | ReadonlyMap<string, DtypeInput>;

/** One resolved field of a schema, in column order. */
export interface SchemaField {
  readonly name: string;
  readonly dtype: ScanDtype;
}

/** Resolves every dtype of a schema, or throws an InvalidArgumentError naming the bad field. */
export function resolveSchema(input: unknown, argument = "schema"): SchemaField[] {
  const entries = schemaEntries(input, argument);
  const seen = new Set<string>();
  const fields: SchemaField[] = [];
  for (const [name, dtype] of entries) {
    if (typeof name !== "string" || name.length === 0) {
      throw new InvalidArgumentError(argument, "field names must be non-empty strings");
    }
    if (seen.has(name))
      throw new InvalidArgumentError(argument, `field ${JSON.stringify(name)} appears twice`);
    seen.add(name);
    fields.push({ name, dtype: resolveDtype(dtype, `${argument}.${name}`) });
  }
  return fields;
}

function schemaEntries(input: unknown, argument: string): Iterable<readonly [unknown, unknown]> {
  if (input instanceof Map) return input.entries();
  if (Array.isArray(input)) {
    for (const entry of input) {
      if (!Array.isArray(entry) || entry.length !== 2) {
        throw new InvalidArgumentError(argument, "an array schema must hold [name, dtype] pairs");
      }
    }
    return input as [unknown, unknown][];
  }
  if (input !== null && typeof input === "object") return Object.entries(input);
  throw new InvalidArgumentError(argument, "expected an object, a Map or an array of [name, dtype] pairs");
}
