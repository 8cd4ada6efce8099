import { InvalidArgumentError } from "@polars-redis/core";

interface BaseField {
  /** The hash field (or, on JSON, the JSONPath) the index reads. */
  readonly name: string;
  /** The name queries use (`AS`), when it differs from `name`. */
  readonly as?: string | undefined;
  /** Keep a sortable copy (SORTBY and fast aggregate loads). */
  readonly sortable?: boolean | undefined;
  /** Stored for SORTBY only, not searchable. */
  readonly noindex?: boolean | undefined;
}

export interface TextField extends BaseField {
  readonly type: "text";
  /** No stemming: "running" does not match "run". */
  readonly nostem?: boolean | undefined;
  /** Score weight [1]. */
  readonly weight?: number | undefined;
  /** Phonetic matcher, e.g. "dm:en". */
  readonly phonetic?: string | undefined;
  readonly withSuffixTrie?: boolean | undefined;
}

export interface NumericField extends BaseField {
  readonly type: "numeric";
}

export interface TagField extends BaseField {
  readonly type: "tag";
  /** Splits a stored value into tags [","]. One character. */
  readonly separator?: string | undefined;
  /** Match tags with case [false: "London" = "london"]. */
  readonly caseSensitive?: boolean | undefined;
  readonly withSuffixTrie?: boolean | undefined;
}

export interface GeoField extends BaseField {
  readonly type: "geo";
}

export interface VectorField extends BaseField {
  readonly type: "vector";
  readonly algorithm: "FLAT" | "HNSW";
  readonly dim: number;
  readonly distance: "COSINE" | "L2" | "IP";
  /** Element type ["FLOAT32"]. */
  readonly dtype?: "FLOAT32" | "FLOAT64" | undefined;
  readonly initialCap?: number | undefined;
  readonly blockSize?: number | undefined;
  readonly m?: number | undefined;
  readonly efConstruction?: number | undefined;
  readonly efRuntime?: number | undefined;
}

/** One field of an index definition. Build them with `field.text(...)`, `field.numeric(...)`, ... */
export type IndexField = TextField | NumericField | TagField | GeoField | VectorField;

export type IndexFieldType = IndexField["type"];

type Options<F extends IndexField> = Omit<F, "type" | "name">;

/** Field constructors: `field.numeric("age", { sortable: true })`. */
export const field = {
  text: (name: string, options: Options<TextField> = {}): TextField => ({ ...options, type: "text", name }),
  numeric: (name: string, options: Options<NumericField> = {}): NumericField => ({
    ...options,
    type: "numeric",
    name,
  }),
  tag: (name: string, options: Options<TagField> = {}): TagField => ({ ...options, type: "tag", name }),
  geo: (name: string, options: Options<GeoField> = {}): GeoField => ({ ...options, type: "geo", name }),
  vector: (name: string, options: Options<VectorField>): VectorField => ({
    ...options,
    type: "vector",
    name,
  }),
} as const;

/** The name a field is queried by (its alias, else its name). */
export function fieldAlias(field: IndexField): string {
  return field.as ?? field.name;
}

function invalid(argument: string, message: string): never {
  throw new InvalidArgumentError(argument, message);
}

function positiveInteger(argument: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1)
    invalid(argument, `expected a positive integer, got ${String(value)}`);
  return value;
}

/** Validates one field; throws InvalidArgumentError naming it. */
export function validateField(value: unknown, index: number): IndexField {
  const where = `fields[${index}]`;
  if (value === null || typeof value !== "object") invalid(where, "expected a field object");
  const f = value as IndexField;
  if (typeof f.name !== "string" || f.name === "") invalid(`${where}.name`, "expected a non-empty string");
  if (f.as !== undefined && (typeof f.as !== "string" || f.as === ""))
    invalid(`${where}.as`, "expected a non-empty string");
  switch (f.type) {
    case "text":
      if (f.weight !== undefined && (!Number.isFinite(f.weight) || f.weight <= 0))
        invalid(`${where}.weight`, `expected a positive number, got ${f.weight}`);
      break;
    case "tag":
      if (f.separator !== undefined && (typeof f.separator !== "string" || f.separator.length !== 1))
        invalid(`${where}.separator`, `expected one character, got ${JSON.stringify(f.separator)}`);
      break;
    case "numeric":
    case "geo":
      break;
    case "vector":
      if (f.algorithm !== "FLAT" && f.algorithm !== "HNSW")
        invalid(`${where}.algorithm`, `expected "FLAT" or "HNSW", got ${String(f.algorithm)}`);
      if (!["COSINE", "L2", "IP"].includes(f.distance))
        invalid(`${where}.distance`, `expected "COSINE", "L2" or "IP", got ${String(f.distance)}`);
      if (f.dtype !== undefined && f.dtype !== "FLOAT32" && f.dtype !== "FLOAT64")
        invalid(`${where}.dtype`, `expected "FLOAT32" or "FLOAT64", got ${String(f.dtype)}`);
      positiveInteger(`${where}.dim`, f.dim);
      for (const option of ["initialCap", "blockSize", "m", "efConstruction", "efRuntime"] as const)
        if (f[option] !== undefined) positiveInteger(`${where}.${option}`, f[option]);
      break;
    default:
      invalid(
        `${where}.type`,
        `expected "text", "numeric", "tag", "geo" or "vector", got ${String((f as { type: unknown }).type)}`,
      );
  }
  return f;
}

/** The FT.CREATE SCHEMA arguments of one field. */
export function fieldArgs(f: IndexField): string[] {
  const args = [f.name, ...(f.as !== undefined ? ["AS", f.as] : [])];
  switch (f.type) {
    case "text":
      args.push("TEXT");
      if (f.nostem) args.push("NOSTEM");
      if (f.weight !== undefined) args.push("WEIGHT", String(f.weight));
      if (f.phonetic !== undefined) args.push("PHONETIC", f.phonetic);
      if (f.withSuffixTrie) args.push("WITHSUFFIXTRIE");
      break;
    case "numeric":
      args.push("NUMERIC");
      break;
    case "tag":
      args.push("TAG");
      if (f.separator !== undefined) args.push("SEPARATOR", f.separator);
      if (f.caseSensitive) args.push("CASESENSITIVE");
      if (f.withSuffixTrie) args.push("WITHSUFFIXTRIE");
      break;
    case "geo":
      args.push("GEO");
      break;
    case "vector": {
      const attributes: string[] = [
        ...["TYPE", f.dtype ?? "FLOAT32", "DIM", String(f.dim), "DISTANCE_METRIC", f.distance],
      ];
      if (f.initialCap !== undefined) attributes.push("INITIAL_CAP", String(f.initialCap));
      if (f.algorithm === "FLAT" && f.blockSize !== undefined)
        attributes.push("BLOCK_SIZE", String(f.blockSize));
      if (f.algorithm === "HNSW") {
        if (f.m !== undefined) attributes.push("M", String(f.m));
        if (f.efConstruction !== undefined) attributes.push("EF_CONSTRUCTION", String(f.efConstruction));
        if (f.efRuntime !== undefined) attributes.push("EF_RUNTIME", String(f.efRuntime));
      }
      args.push("VECTOR", f.algorithm, String(attributes.length), ...attributes);
      break;
    }
  }
  if (f.sortable) args.push("SORTABLE");
  if (f.noindex) args.push("NOINDEX");
  return args;
}
