import { classifyText } from "./classify-text.js";

/** The narrower types a value can fit, besides Utf8 which every value fits. */
export const CANDIDATES = ["boolean", "int64", "float64", "date", "datetime"] as const;
export type Candidate = (typeof CANDIDATES)[number];

/** The kinds of JSON value, for documents. */
export type JsonKind = "boolean" | "number" | "string" | "array" | "object";

/** How many non-fitting values are kept per candidate, to show in the report. */
const EXAMPLES_KEPT = 3;
/** JSON nesting followed by inference; deeper values are typed Utf8 (serialised). */
export const MAX_JSON_DEPTH = 8;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * True for an integer an Int64 column can hold. 18446744073709551615 (a bigint from the parser) and 1e20 (a
 * number) are integers, but beyond the range: taking them as Int64 would fail the scan on its own sample.
 */
function isInt64(value: number | bigint): boolean {
  if (typeof value === "number" && !Number.isInteger(value)) return false;
  const integer = BigInt(value);
  return integer >= INT64_MIN && integer <= INT64_MAX;
}

/**
 * Everything inference learns about one field from the sampled values. Nulls are not counted here: a field's
 * nulls are the sampled documents minus the values present, so they are right whatever order fields appear in.
 */
export class FieldStats {
  /** Non-null values seen. */
  present = 0;
  readonly fits: Record<Candidate, number> = { boolean: 0, int64: 0, float64: 0, date: 0, datetime: 0 };
  /** Values that fit Boolean as a word (true, yes, ...) rather than as 0/1. */
  booleanWords = 0;
  datetimesWithZone = 0;
  maxFractionDigits = 0;
  /** A few values that did not fit each candidate. */
  readonly misfits: Record<Candidate, string[]> = {
    boolean: [],
    int64: [],
    float64: [],
    date: [],
    datetime: [],
  };
  /** JSON only: how many values of each kind. */
  readonly kinds: Record<JsonKind, number> = { boolean: 0, number: 0, string: 0, array: 0, object: 0 };
  /** JSON only: numbers that are integers within the Int64 range. */
  integers = 0;
  /** JSON only: the elements of every array value, pooled. */
  elements: FieldStats | undefined;
  /** JSON only: the fields of every object value; `objects` is how many objects there were. */
  fields: Map<string, FieldStats> | undefined;
  objects = 0;

  /** A value from a hash (always text). */
  observeText(text: string): void {
    this.present++;
    const traits = classifyText(text);
    this.count("boolean", traits.boolean, text);
    this.count("int64", traits.int64, text);
    this.count("float64", traits.float64, text);
    this.count("date", traits.date, text);
    this.count("datetime", traits.datetime, text);
    if (traits.booleanWord) this.booleanWords++;
    if (traits.datetime) {
      if (traits.datetimeWithZone) this.datetimesWithZone++;
      if (traits.fractionDigits > this.maxFractionDigits) this.maxFractionDigits = traits.fractionDigits;
    }
  }

  /** A value from a JSON document; `null` is ignored (it counts as a null of the field). */
  observeJson(value: unknown, depth = 0): void {
    if (value === null || value === undefined) return;
    this.present++;
    if (typeof value === "boolean") {
      this.kinds.boolean++;
    } else if (typeof value === "number" || typeof value === "bigint") {
      this.kinds.number++;
      if (isInt64(value)) this.integers++;
    } else if (typeof value === "string") {
      this.kinds.string++;
      const traits = classifyText(value);
      this.count("date", traits.date, value);
      this.count("datetime", traits.datetime, value);
      if (traits.datetime) {
        if (traits.datetimeWithZone) this.datetimesWithZone++;
        if (traits.fractionDigits > this.maxFractionDigits) this.maxFractionDigits = traits.fractionDigits;
      }
    } else if (Array.isArray(value)) {
      this.kinds.array++;
      if (depth < MAX_JSON_DEPTH) {
        this.elements ??= new FieldStats();
        for (const element of value) this.elements.observeJson(element, depth + 1);
      }
    } else if (typeof value === "object") {
      this.kinds.object++;
      if (depth < MAX_JSON_DEPTH) {
        this.fields ??= new Map();
        this.objects++;
        for (const [name, child] of Object.entries(value as Record<string, unknown>)) {
          let stats = this.fields.get(name);
          if (stats === undefined) {
            stats = new FieldStats();
            this.fields.set(name, stats);
          }
          stats.observeJson(child, depth + 1);
        }
      }
    }
  }

  private count(candidate: Candidate, fits: boolean, text: string): void {
    if (fits) this.fits[candidate]++;
    else if (this.misfits[candidate].length < EXAMPLES_KEPT) this.misfits[candidate].push(text);
  }
}
