import { dtypeLabel, type ScanDtype } from "../../schema/dtype.js";
import { parseBoolean } from "../../schema/parse/parse-boolean.js";
import { parseDate } from "../../schema/parse/parse-date.js";
import { parseDatetime } from "../../schema/parse/parse-datetime.js";
import { parseFloat64 } from "../../schema/parse/parse-float.js";
import { parseInt32, parseInt64 } from "../../schema/parse/parse-integer.js";
import { leafText, toJsonText } from "./json-text.js";

/** Where and why a nested value did not fit its dtype. */
export interface NestedMismatch {
  /** Inside the column: `[2]`, `.zip`, `[0].name`. */
  readonly at: string;
  readonly rawValue: string;
  readonly expected: string;
}

/**
 * Converts a JSON value to the physical form of a List/Struct dtype, ready to be written as NDJSON and read by
 * polars: leaves go through the same parsers as flat columns (so "42" fits Int64 exactly as in a hash), dates
 * become epoch days, date-times integers of their unit, Utf8 leaves strings (other JSON values as JSON text);
 * a struct gets every field in schema order (missing ones null, extra ones dropped). Nulls stay null at every
 * level. Returns the value, or the first mismatch found.
 */
export function normalizeNested(
  value: unknown,
  dtype: ScanDtype,
): { value: unknown } | { mismatch: NestedMismatch } {
  const mismatches: NestedMismatch[] = [];
  const result = normalize(value, dtype, "", mismatches);
  return mismatches.length > 0 ? { mismatch: mismatches[0]! } : { value: result };
}

function normalize(value: unknown, dtype: ScanDtype, at: string, mismatches: NestedMismatch[]): unknown {
  if (value === null || value === undefined || mismatches.length > 0) return null;
  switch (dtype.kind) {
    case "list": {
      if (!Array.isArray(value)) return fail(value, dtype, at, mismatches);
      return value.map((element, index) => normalize(element, dtype.inner, `${at}[${index}]`, mismatches));
    }
    case "struct": {
      if (typeof value !== "object" || Array.isArray(value)) return fail(value, dtype, at, mismatches);
      const object = value as Record<string, unknown>;
      // Own fields only, into an object without a prototype: a field named "constructor" is not inherited,
      // and one named "__proto__" is a field, not the prototype.
      const out: Record<string, unknown> = Object.create(null);
      for (const field of dtype.fields) {
        const fieldValue = Object.hasOwn(object, field.name) ? object[field.name] : undefined;
        out[field.name] = normalize(fieldValue, field.dtype, `${at}.${field.name}`, mismatches);
      }
      return out;
    }
    case "utf8":
    case "categorical":
      return typeof value === "string" ? value : toJsonText(value);
    default: {
      const parsed = parseLeaf(leafText(value), value, dtype);
      return parsed === undefined ? fail(value, dtype, at, mismatches) : parsed;
    }
  }
}

function parseLeaf(text: string, value: unknown, dtype: ScanDtype): unknown {
  if (typeof value === "object") return undefined; // an array or object where a flat value belongs
  switch (dtype.kind) {
    case "int64":
      return parseInt64(text);
    case "int32":
      return parseInt32(text);
    case "float64":
    case "float32": {
      const number = parseFloat64(text);
      // JSON has no NaN or infinity, so such a value cannot travel inside a nested column.
      return number !== undefined && Number.isFinite(number) ? number : undefined;
    }
    case "boolean":
      return parseBoolean(text);
    case "date":
      return parseDate(text);
    case "datetime":
      return parseDatetime(text, { unit: dtype.unit, timeZone: dtype.timeZone });
    default:
      return undefined;
  }
}

function fail(value: unknown, dtype: ScanDtype, at: string, mismatches: NestedMismatch[]): null {
  mismatches.push({
    at,
    rawValue: typeof value === "string" ? value : toJsonText(value),
    expected: dtypeLabel(dtype),
  });
  return null;
}
