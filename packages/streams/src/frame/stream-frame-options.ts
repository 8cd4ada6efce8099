import { InvalidArgumentError } from "@polars-redis/core";
import type { OnCoercionError } from "./coerce-column.js";
import { type StreamSchema, validateStreamSchema } from "./stream-schema.js";

/** How stream entries become DataFrame columns. Shared by readers, consumers and the router. */
export interface StreamFrameOptions {
  /** Field dtypes; fields not named stay Utf8. */
  schema?: StreamSchema;
  /** Keep only these fields, in this order (metadata columns are controlled by the include* options). */
  columns?: readonly string[];
  /** A field text that does not fit its dtype: throw a SchemaMismatchError, or write null and count it. ["raise"] */
  onError?: OnCoercionError;
  /** Add the entry id as a Utf8 column. [true] */
  includeId?: boolean;
  /** ["_id"] */
  idColumn?: string;
  /** Add the id's millisecond part as a Datetime("ms") column. [true] */
  includeTimestamp?: boolean;
  /** ["_ts"] */
  timestampColumn?: string;
  /** Add the id's sequence part as an Int64 column. [true] */
  includeSequence?: boolean;
  /** ["_seq"] */
  sequenceColumn?: string;
  /** Add the stream key as a Utf8 column (default: only when several streams are read). */
  includeStream?: boolean;
  /** ["_stream"] */
  streamColumn?: string;
}

export interface ResolvedFrameOptions {
  schema: StreamSchema | undefined;
  columns: readonly string[] | undefined;
  onError: OnCoercionError;
  idColumn: string | undefined;
  timestampColumn: string | undefined;
  sequenceColumn: string | undefined;
  streamColumn: string | undefined;
}

/** Validates column options and fills in defaults; `multiStream` turns the stream column on by default. */
export function resolveFrameOptions(options: StreamFrameOptions, multiStream: boolean): ResolvedFrameOptions {
  validateStreamSchema(options.schema);
  const onError = options.onError ?? "raise";
  if (onError !== "raise" && onError !== "null") {
    throw new InvalidArgumentError("onError", `expected "raise" or "null", got ${JSON.stringify(onError)}`);
  }
  if (options.columns !== undefined && !Array.isArray(options.columns)) {
    throw new InvalidArgumentError("columns", "expected an array of field names");
  }
  const resolved: ResolvedFrameOptions = {
    schema: options.schema,
    columns: options.columns,
    onError,
    idColumn: (options.includeId ?? true) ? (options.idColumn ?? "_id") : undefined,
    timestampColumn: (options.includeTimestamp ?? true) ? (options.timestampColumn ?? "_ts") : undefined,
    sequenceColumn: (options.includeSequence ?? true) ? (options.sequenceColumn ?? "_seq") : undefined,
    streamColumn: (options.includeStream ?? multiStream) ? (options.streamColumn ?? "_stream") : undefined,
  };
  const names = [resolved.idColumn, resolved.timestampColumn, resolved.sequenceColumn, resolved.streamColumn];
  const metadata = names.filter((name): name is string => name !== undefined);
  if (new Set(metadata).size !== metadata.length) {
    throw new InvalidArgumentError("idColumn", `metadata column names must differ: ${metadata.join(", ")}`);
  }
  return resolved;
}

/** The metadata column names in use, e.g. to drop them before handing rows to a sink. */
export function metadataColumns(options: ResolvedFrameOptions): string[] {
  return [options.streamColumn, options.idColumn, options.timestampColumn, options.sequenceColumn].filter(
    (name): name is string => name !== undefined,
  );
}
