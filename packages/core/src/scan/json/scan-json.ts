import type { DataFrame } from "nodejs-polars";
import type { RedisConnection } from "../../connection/redis-connection.js";
import { InvalidArgumentError } from "../../errors/invalid-argument-error.js";
import type { SchemaInput } from "../../schema/schema.js";
import { optionNames } from "../../validation/option-names.js";
import { readAll } from "../read-all.js";
import { Scan, type ScanIterable } from "../scan.js";
import { resolveScanOptions, type ScanOptions } from "../scan-options.js";
import { projectSchema } from "../schema-projection.js";
import type { JsonColumn } from "./json-column.js";
import { fieldPath, parseColumnPath } from "./json-path.js";
import { JsonReader } from "./json-reader.js";

/** The options of readJson/scanJson besides the common ScanOptions. */
const JSON_OPTIONS = optionNames<Omit<JsonScanOptions, keyof ScanOptions>>()(["schema", "paths", "columns"]);

export interface JsonScanOptions extends ScanOptions {
  /**
   * Column → dtype. Besides the flat dtypes, JSON columns may be `pl.List(...)` and `pl.Struct({...})`.
   * Required unless `columns` is given (then those top-level fields are read as Utf8).
   */
  schema?: SchemaInput | undefined;
  /**
   * Column → JSONPath, for columns that are not top-level fields of the same name: nested fields
   * (`{ city: "$.address.city" }`), array elements (`"$.tags[0]"`), or several matches at once
   * (`{ prices: "$.items[*].price" }` with a List dtype). Other columns read `$.<column>`.
   */
  paths?: Readonly<Record<string, string>> | undefined;
  /** Read only these columns: JSON.GET fetches just their paths. */
  columns?: readonly string[] | undefined;
}

/**
 * Scans RedisJSON documents (SCAN ... TYPE ReJSON-RL) into DataFrames: `[_index] [_key] [_ttl]` then one column
 * per schema field, in batches of `batchSize` documents.
 *
 * ```ts
 * const frame = await readJson(conn, {
 *   pattern: "order:*",
 *   schema: { id: pl.Int64, city: pl.Utf8, tags: pl.List(pl.Utf8), placed: pl.Datetime("ms", "UTC") },
 *   paths: { city: "$.shipping.address.city" },
 * });
 * ```
 */
export function scanJson(connection: RedisConnection, options: JsonScanOptions): ScanIterable {
  return createJsonScan(connection, options);
}

/** Reads every matching document into one DataFrame (`scanJson`, concatenated). */
export async function readJson(connection: RedisConnection, options: JsonScanOptions): Promise<DataFrame> {
  return readAll(createJsonScan(connection, options));
}

function createJsonScan(connection: RedisConnection, options: JsonScanOptions): Scan {
  const common = resolveScanOptions(options, {
    call: { function: "readJson/scanJson", connection, options: JSON_OPTIONS },
  });
  const { columns, projected } = resolveJsonColumns(options?.schema, options?.paths, options?.columns);
  return new Scan(connection, new JsonReader(columns, { projected }), common);
}

/** Validates schema, paths and projection together, before anything is sent. */
export function resolveJsonColumns(
  schema: unknown,
  paths: unknown,
  columns: unknown,
): { columns: JsonColumn[]; projected: boolean } {
  const pathMap = pathOptions(paths);
  const { schemaFields, fields, projected } = projectSchema(
    schema,
    columns,
    "JSON scans need a schema (column → dtype) or a list of columns to read as Utf8; inferJsonSchema() can propose a schema",
  );
  for (const name of pathMap.keys()) {
    if (!schemaFields.some((field) => field.name === name)) {
      throw new InvalidArgumentError(
        "paths",
        `${JSON.stringify(name)} is not a column of the schema (${schemaFields.map((field) => field.name).join(", ")})`,
      );
    }
  }
  return {
    columns: fields.map((field) => {
      const path = parseColumnPath(pathMap.get(field.name) ?? fieldPath(field.name), `paths.${field.name}`);
      return { ...field, ...path, nested: field.dtype.kind === "list" || field.dtype.kind === "struct" };
    }),
    projected,
  };
}

/** The `paths` option's own entries: a column named like an Object.prototype member has no path by inheritance. */
function pathOptions(paths: unknown): Map<string, unknown> {
  if (paths === undefined) return new Map();
  if (paths === null || typeof paths !== "object" || Array.isArray(paths)) {
    throw new InvalidArgumentError("paths", "expected an object of column → JSONPath");
  }
  return new Map(Object.entries(paths));
}
