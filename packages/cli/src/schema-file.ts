import { readFile } from "node:fs/promises";
import type { DtypeInput, InferredSchema, ScanDtype } from "@polars-redis/core";
import { resolveDtype, toPolarsDtype } from "@polars-redis/core/internal";
import pl, { type DataType } from "nodejs-polars";
import { usageError } from "./cli-error.js";

/**
 * A dtype in a schema file: a name core's `resolveDtype` reads back ("int64", "datetime[ms, UTC]",
 * "list[utf8]"), or, for a JSON struct, `{ "struct": { field: dtype, ... } }`.
 */
export type DtypeText = string | { readonly struct: Readonly<Record<string, DtypeText>> };

/** What `polars-redis infer -o FILE` writes and `--schema FILE` reads. */
export interface SchemaFile {
  readonly type: string;
  readonly pattern: string;
  readonly sampleCount: number;
  /** Field → dtype, the part `--schema` uses. */
  readonly fields: Readonly<Record<string, DtypeText>>;
  /** Field → confidence, 0..1 (see core's FieldInference). */
  readonly confidence: Readonly<Record<string, number>>;
}

export function dtypeText(dtype: ScanDtype): DtypeText {
  switch (dtype.kind) {
    case "datetime":
      return dtype.timeZone === null
        ? `datetime[${dtype.unit}]`
        : `datetime[${dtype.unit}, ${dtype.timeZone}]`;
    case "list": {
      const inner = dtypeText(dtype.inner);
      if (typeof inner !== "string") throw usageError("a list of structs cannot be written to a schema file");
      return `list[${inner}]`;
    }
    case "struct":
      return {
        struct: Object.fromEntries(dtype.fields.map((field) => [field.name, dtypeText(field.dtype)])),
      };
    default:
      return dtype.kind;
  }
}

export function schemaFileOf(type: string, pattern: string, inferred: InferredSchema): SchemaFile {
  const fields: Record<string, DtypeText> = {};
  const confidence: Record<string, number> = {};
  for (const [name, field] of Object.entries(inferred.fields)) {
    Object.defineProperty(fields, name, {
      value: dtypeText(resolveDtype(field.dtype, name)),
      enumerable: true,
      writable: true,
      configurable: true,
    });
    Object.defineProperty(confidence, name, {
      value: Math.round(field.confidence * 1000) / 1000,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return { type, pattern, sampleCount: inferred.sampleCount, fields, confidence };
}

/**
 * Reads a schema for `--schema FILE`: a file written by `infer -o`, or a plain JSON object of field → dtype.
 * Every dtype is checked here, so a bad file fails before anything is sent.
 */
export async function readSchemaFile(path: string): Promise<[string, DtypeInput][]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw usageError(`cannot read the schema file ${path}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw usageError(`the schema file ${path} is not JSON: ${(error as Error).message}`);
  }
  const fields =
    parsed !== null && typeof parsed === "object" && "fields" in parsed
      ? (parsed as { fields: unknown }).fields
      : parsed;
  if (fields === null || typeof fields !== "object" || Array.isArray(fields)) {
    throw usageError(`the schema file ${path} must hold an object of field → dtype (or "fields": {...})`);
  }
  const entries = Object.entries(fields as Record<string, unknown>);
  if (entries.length === 0) throw usageError(`the schema file ${path} has no fields`);
  return entries.map(([name, text]) => {
    const dtype = toDtypeInput(text, `${path}: ${name}`);
    resolveDtype(dtype, `schema.${name}`);
    return [name, dtype];
  });
}

function toDtypeInput(text: unknown, where: string): DtypeInput {
  if (typeof text === "string") return text as DtypeInput; // checked by resolveDtype below
  if (text !== null && typeof text === "object" && "struct" in text) {
    const fields = (text as { struct: unknown }).struct;
    if (fields !== null && typeof fields === "object") {
      const inner: Record<string, DataType> = {};
      for (const [name, value] of Object.entries(fields)) {
        const input = toDtypeInput(value, `${where}.${name}`);
        inner[name] = typeof input === "string" ? polarsDtype(input, `${where}.${name}`) : input;
      }
      return pl.Struct(inner);
    }
  }
  throw usageError(
    `${where}: expected a dtype name such as "int64" or {"struct": {...}}, got ${JSON.stringify(text)}`,
  );
}

/** A dtype name as a nodejs-polars DataType (for struct fields, which pl.Struct takes only as DataTypes). */
function polarsDtype(name: string, where: string): DataType {
  return toPolarsDtype(resolveDtype(name, where));
}
