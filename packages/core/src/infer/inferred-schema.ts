import type pl from "nodejs-polars";
import { InvalidArgumentError } from "../errors/invalid-argument-error.js";
import { dtypeLabel, type ScanDtype, toPolarsDtype } from "../schema/dtype.js";
import { resolveSchema, type SchemaInput } from "../schema/schema.js";
import type { TypeChoice } from "./choose-type.js";
import { CANDIDATES, type Candidate, type FieldStats } from "./field-stats.js";

/** What inference found out about one field. */
export interface FieldInference {
  /** The chosen dtype (the overwrite's, when the field was overwritten). */
  readonly dtype: pl.DataType;
  /** Its name: "Int64", "Datetime(ms, UTC)", "List(Utf8)", ... */
  readonly type: string;
  /**
   * 0..1. For a chosen narrow type, the lower end of the 95% interval on the share of the field's values that
   * fit it, given that every sampled value did: it grows with the number of values seen (100 → 0.96, 30 →
   * 0.89, 5 → 0.57). For a Utf8 fallback, that times the share of values that did NOT fit the most common
   * narrower type (95 integers and 5 "N/A" → about 0.05: "look at this field"). 0 when no value was seen;
   * 1 for overwritten fields.
   */
  readonly confidence: number;
  /** Documents sampled. */
  readonly samples: number;
  /** Documents where the field had a non-null value. */
  readonly present: number;
  /** Documents where the field was missing or null: samples - present, whatever order fields appeared in. */
  readonly nulls: number;
  readonly nullRatio: number;
  /** How many of the present values each type accepts (utf8 accepts all). */
  readonly candidates: Readonly<Record<Candidate | "utf8", number>>;
  /** Why this type, in words. */
  readonly reason: string;
  readonly overwritten: boolean;
}

/** A schema ready for the scans' `schema` option, and the evidence behind it. */
export interface InferredSchema {
  /** Field → dtype, fields in alphabetical order (SCAN order differs between runs; this does not). */
  readonly schema: Record<string, pl.DataType>;
  readonly fields: Readonly<Record<string, FieldInference>>;
  /** Keys whose value was read (keys that vanished before the read are not counted). */
  readonly sampleCount: number;
  /** Mean confidence over the fields (1 when there are none). */
  readonly averageConfidence: number;
  /** Every field's confidence is at least `threshold` [0.9]. */
  allConfident(threshold?: number): boolean;
  /** Fields below `threshold` [0.9], lowest first. */
  lowConfidenceFields(threshold?: number): { field: string; confidence: number; reason: string }[];
}

/** Checks an `overwrite` option before anything is sent; returns the resolved dtypes by field. */
export function resolveOverwrite(overwrite: SchemaInput | undefined): Map<string, ScanDtype> {
  if (overwrite === undefined) return new Map();
  const fields = resolveSchema(overwrite, "overwrite");
  return new Map(fields.map((field) => [field.name, field.dtype]));
}

export function checkSampleSize(sampleSize: number | undefined): number {
  const size = sampleSize ?? 100;
  if (!Number.isInteger(size) || size < 1) {
    throw new InvalidArgumentError("sampleSize", `expected a positive integer, got ${String(sampleSize)}`);
  }
  return size;
}

/** Assembles the result: one choice per observed field, then the overwrites on top. */
export function buildInferredSchema(
  observed: ReadonlyMap<string, FieldStats>,
  sampleCount: number,
  choose: (stats: FieldStats, samples: number) => TypeChoice,
  overwrite: ReadonlyMap<string, ScanDtype>,
): InferredSchema {
  const names = [...new Set([...observed.keys(), ...overwrite.keys()])].sort((a, b) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  const schema: Record<string, pl.DataType> = {};
  const fields: Record<string, FieldInference> = {};
  for (const name of names) {
    const stats = observed.get(name);
    const present = stats?.present ?? 0;
    const forced = overwrite.get(name);
    const choice: TypeChoice =
      forced !== undefined
        ? { dtype: forced, confidence: 1, reason: "set by overwrite" }
        : choose(stats!, sampleCount);
    const candidates = { utf8: present } as Record<Candidate | "utf8", number>;
    for (const candidate of CANDIDATES) candidates[candidate] = stats?.fits[candidate] ?? 0;
    if (stats !== undefined && stats.kinds.number + stats.kinds.boolean > 0) {
      // JSON: numbers and booleans are typed by kind, not by text.
      candidates.boolean = stats.kinds.boolean;
      candidates.int64 = stats.integers;
      candidates.float64 = stats.kinds.number;
    }
    const dtype = toPolarsDtype(choice.dtype);
    // defineProperty, not assignment: a field named "__proto__" must become a key, not the prototype.
    defineField(schema, name, dtype);
    defineField(fields, name, {
      dtype,
      type: dtypeLabel(choice.dtype),
      confidence: choice.confidence,
      samples: sampleCount,
      present,
      nulls: sampleCount - present,
      nullRatio: sampleCount === 0 ? 0 : (sampleCount - present) / sampleCount,
      candidates,
      reason: choice.reason,
      overwritten: forced !== undefined,
    });
  }
  const confidences = Object.values(fields).map((field) => field.confidence);
  const averageConfidence =
    confidences.length === 0 ? 1 : confidences.reduce((a, b) => a + b, 0) / confidences.length;
  return {
    schema,
    fields,
    sampleCount,
    averageConfidence,
    allConfident: (threshold = 0.9) => confidences.every((confidence) => confidence >= threshold),
    lowConfidenceFields: (threshold = 0.9) =>
      Object.entries(fields)
        .filter(([, field]) => field.confidence < threshold)
        .map(([field, info]) => ({ field, confidence: info.confidence, reason: info.reason }))
        .sort((a, b) => a.confidence - b.confidence),
  };
}

function defineField<T>(record: Record<string, T>, name: string, value: T): void {
  Object.defineProperty(record, name, { value, enumerable: true, writable: true, configurable: true });
}
