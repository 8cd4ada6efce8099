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
      message: `key ${JSON.stringify(options.key)}, field ${JSON.stringify(options.field)}: cannot read ${JSON.stringify(shown)} as ${options.expected}`,
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
