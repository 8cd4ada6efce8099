import { hasMarker, PolarsRedisError } from "./polars-redis-error.js";

const marker = "polars-redis.error.schema-mismatch";
const symbol = Symbol.for(marker);

/** A stored value could not be converted to the dtype the schema asks for (with `onError: "raise"`). */
export class SchemaMismatchError extends PolarsRedisError {
  protected readonly [symbol] = true;
  readonly key: string;
  readonly field: string;
  readonly rawValue: string;
  readonly expected: string;

  constructor(options: { key: string; field: string; rawValue: string; expected: string }) {
    const shown = options.rawValue.length > 80 ? `${options.rawValue.slice(0, 80)}...` : options.rawValue;
    super({
      code: "SCHEMA_MISMATCH",
      message: `key ${JSON.stringify(options.key)}, field ${JSON.stringify(options.field)}: cannot read ${JSON.stringify(shown)} as ${options.expected}; ${fixHint(options.rawValue, options.expected)}`,
    });
    this.name = "SchemaMismatchError";
    this.key = options.key;
    this.field = options.field;
    this.rawValue = options.rawValue;
    this.expected = options.expected;
  }

  static override isInstance(error: unknown): error is SchemaMismatchError {
    return hasMarker(error, marker);
  }
}

/** What to do about a value that does not fit its dtype. */
function fixHint(raw: string, expected: string): string {
  const generic =
    'choose a dtype that fits (inferHashSchema/inferJsonSchema suggest one) or pass onError: "null" to read it as null';
  if (/^Int(64|32)$/.test(expected) && /^[+-]?(\d+\.\d*|\.\d+|\d+(\.\d*)?[eE][+-]?\d+)$/.test(raw.trim())) {
    return `the value has a fraction or an exponent: read the field as pl.Float64 (and cast after reading), or ${generic}`;
  }
  if (/^Int(64|32)$/.test(expected) && /^[+-]?\d+$/.test(raw.trim())) {
    return `the integer is out of the ${expected} range: read the field as pl.Int64 or pl.Float64, or ${generic}`;
  }
  return generic;
}
