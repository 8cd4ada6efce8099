import type { ScanDtype, TimeUnit } from "../schema/dtype.js";
import type { Candidate, FieldStats, JsonKind } from "./field-stats.js";

/** The type inference settles on for a field, how sure it is, and why. */
export interface TypeChoice {
  readonly dtype: ScanDtype;
  readonly confidence: number;
  readonly reason: string;
}

/** z² for a 95% interval. */
const Z_SQUARED = 1.959964 ** 2;

/**
 * The lower end of the 95% Wilson interval for "every value fits" after `n` values that all fitted:
 * n / (n + z²). 100 values give 0.963, 30 give 0.886, 5 give 0.566, none gives 0.
 */
export function evidence(n: number): number {
  return n / (n + Z_SQUARED);
}

const UTF8: ScanDtype = { kind: "utf8" };
const LABELS: Record<Candidate, string> = {
  boolean: "Boolean",
  int64: "Int64",
  float64: "Float64",
  date: "Date",
  datetime: "Datetime",
};

/**
 * Hash values (text): the narrowest type that EVERY non-null sampled value fits, in the order Boolean, Int64,
 * Float64, Date, Datetime, else Utf8. Never a majority vote: a type some sampled value does not fit would fail
 * the scan on that value. Values that are all "0"/"1" give Int64 (they count as Boolean only next to a word such
 * as "true" or "yes"), because 0/1 is as likely a count as a flag and Int64 loses nothing.
 */
export function chooseTextType(stats: FieldStats, samples: number): TypeChoice {
  const n = stats.present;
  if (n === 0) return neverPresent(samples);
  const all = (candidate: Candidate) => stats.fits[candidate] === n;
  if (all("boolean") && stats.booleanWords > 0)
    return fits({ kind: "boolean" }, n, `all ${n} values are booleans`);
  if (all("int64")) {
    const note = all("boolean") ? " (all are 0 or 1: overwrite to Boolean if they are flags)" : "";
    return fits({ kind: "int64" }, n, `all ${n} values are integers${note}`);
  }
  if (all("float64")) return fits({ kind: "float64" }, n, `all ${n} values are numbers`);
  if (all("date")) return fits({ kind: "date" }, n, `all ${n} values are ISO dates`);
  if (all("datetime")) return fits(datetimeOf(stats), n, `all ${n} values are ISO date-times`);
  return utf8Fallback(stats, n);
}

/**
 * JSON values: by their JSON kind. All booleans → Boolean; all numbers → Int64 when all are integers within
 * the Int64 range, else Float64; all strings → Date / Datetime when every one is an ISO date / date-time, else Utf8; all arrays →
 * List of the elements' type; all objects → Struct of the fields' types. Mixed kinds → Utf8, which a scan fills
 * with strings as they are and other values as JSON text.
 */
export function chooseJsonType(stats: FieldStats, samples: number): TypeChoice {
  const n = stats.present;
  if (n === 0) return neverPresent(samples);
  const kinds = Object.entries(stats.kinds).filter(([, count]) => count > 0) as [JsonKind, number][];
  if (kinds.length > 1) {
    const [topKind, topCount] = kinds.reduce((best, entry) => (entry[1] > best[1] ? entry : best));
    const listed = kinds.map(([kind, count]) => `${count} ${kind}${count === 1 ? "" : "s"}`).join(", ");
    return {
      dtype: UTF8,
      confidence: evidence(n) * (1 - topCount / n),
      reason: `mixed JSON kinds (${listed}): Utf8, non-strings as JSON text; mostly ${topKind}s, so check for bad documents`,
    };
  }
  const kind = kinds[0]![0];
  switch (kind) {
    case "boolean":
      return fits({ kind: "boolean" }, n, `all ${n} values are JSON booleans`);
    case "number":
      return stats.integers === n
        ? fits({ kind: "int64" }, n, `all ${n} values are JSON integers`)
        : fits(
            { kind: "float64" },
            n,
            `all ${n} values are JSON numbers, ${n - stats.integers} with a fraction or beyond the Int64 range`,
          );
    case "string":
      if (stats.fits.date === n) return fits({ kind: "date" }, n, `all ${n} values are ISO date strings`);
      if (stats.fits.datetime === n)
        return fits(datetimeOf(stats), n, `all ${n} values are ISO date-time strings`);
      return fits(UTF8, n, `all ${n} values are strings`);
    case "array": {
      const elements = stats.elements;
      if (elements === undefined || elements.present === 0) {
        return {
          dtype: { kind: "list", inner: UTF8 },
          confidence: 0,
          reason: `all ${n} arrays are empty or hold only nulls`,
        };
      }
      const inner = chooseJsonType(elements, elements.present);
      return {
        dtype: { kind: "list", inner: inner.dtype },
        confidence: Math.min(evidence(n), inner.confidence),
        reason: `all ${n} values are arrays; elements: ${inner.reason}`,
      };
    }
    case "object": {
      const fields = [...(stats.fields ?? new Map<string, FieldStats>())].sort(([a], [b]) =>
        a < b ? -1 : a > b ? 1 : 0,
      );
      const chosen = fields.map(([name, child]) => ({ name, choice: chooseJsonType(child, stats.objects) }));
      const weakest = chosen.reduce((low, field) => Math.min(low, field.choice.confidence), evidence(n));
      return {
        dtype: { kind: "struct", fields: chosen.map(({ name, choice }) => ({ name, dtype: choice.dtype })) },
        confidence: weakest,
        reason: `all ${n} values are objects (${chosen.length} fields; confidence is the weakest field's)`,
      };
    }
  }
}

function fits(dtype: ScanDtype, n: number, reason: string): TypeChoice {
  return { dtype, confidence: evidence(n), reason };
}

function neverPresent(samples: number): TypeChoice {
  return { dtype: UTF8, confidence: 0, reason: `no value in ${samples} sampled documents: Utf8 by default` };
}

/**
 * Utf8 keeps every value. When most values fit a narrower type, the data is probably that type with a few bad
 * values: confidence drops with that share, and the reason names the type and the values that do not fit.
 */
function utf8Fallback(stats: FieldStats, n: number): TypeChoice {
  let best: Candidate | undefined;
  for (const candidate of ["int64", "float64", "boolean", "datetime", "date"] as const) {
    if (stats.fits[candidate] > 0 && (best === undefined || stats.fits[candidate] > stats.fits[best]))
      best = candidate;
  }
  if (best === undefined) return fits(UTF8, n, `all ${n} values are text`);
  const share = stats.fits[best] / n;
  const examples = stats.misfits[best].map((value) =>
    JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value),
  );
  return {
    dtype: UTF8,
    confidence: evidence(n) * (1 - share),
    reason:
      `${stats.fits[best]} of ${n} values fit ${LABELS[best]}, but ${n - stats.fits[best]} do not ` +
      `(e.g. ${examples.join(", ")}): Utf8 keeps them all; to read it as ${LABELS[best]}, overwrite the field ` +
      `and scan with onError: "null"`,
  };
}

/** Datetime with the finest unit the fractions need, in UTC when any value carried an offset or zone. */
function datetimeOf(stats: FieldStats): ScanDtype {
  const unit: TimeUnit = stats.maxFractionDigits <= 3 ? "ms" : stats.maxFractionDigits <= 6 ? "us" : "ns";
  return { kind: "datetime", unit, timeZone: stats.datetimesWithZone > 0 ? "UTC" : null };
}
