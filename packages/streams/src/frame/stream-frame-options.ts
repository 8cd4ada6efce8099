import {
  InvalidArgumentError,
  type OnError,
  type SchemaInput,
  type StreamLayoutOptions,
} from "@polars-redis/core";
import { streamEntriesToFrame } from "@polars-redis/core/internal";

/**
 * How stream entries become DataFrame columns: exactly as core's `scanStreams` does it (same dtypes, same
 * parsing rules), plus a `_stream` column when several streams are read at once.
 */
export interface StreamFrameOptions extends StreamLayoutOptions {
  /** A field text that does not fit its dtype: throw a SchemaMismatchError, or write null and count it. ["raise"] */
  onError?: OnError | undefined;
  /** Add the stream key as a Utf8 first column. [only when several streams are read] */
  includeStream?: boolean | undefined;
  /** ["_stream"] */
  streamColumn?: string | undefined;
}

export interface ResolvedFrameOptions {
  /** What core's streamEntriesToFrame takes. */
  entries: {
    schema?: SchemaInput;
    columns?: readonly string[];
    onError: OnError;
    includeId: boolean;
    idColumn: string;
    includeTimestamp: boolean;
    timestampColumn: string;
    includeSequence: boolean;
    sequenceColumn: string;
  };
  streamColumn: string | undefined;
  /** Names of the metadata columns in use (stream, id, timestamp, sequence). */
  metadataColumns: string[];
}

/**
 * Validates column options (by building an empty frame with them, so every rule core applies is applied
 * before anything is read) and fills in the defaults; `multiStream` turns the stream column on by default.
 */
export function resolveFrameOptions(options: StreamFrameOptions, multiStream: boolean): ResolvedFrameOptions {
  const entries = {
    ...(options.schema === undefined ? {} : { schema: options.schema }),
    ...(options.columns === undefined ? {} : { columns: options.columns }),
    onError: options.onError ?? "raise",
    includeId: options.includeId ?? true,
    idColumn: options.idColumn ?? "_id",
    includeTimestamp: options.includeTimestamp ?? true,
    timestampColumn: options.timestampColumn ?? "_ts",
    includeSequence: options.includeSequence ?? false,
    sequenceColumn: options.sequenceColumn ?? "_seq",
  };
  const { frame } = streamEntriesToFrame([], entries);
  const streamColumn =
    (options.includeStream ?? multiStream) ? (options.streamColumn ?? "_stream") : undefined;
  if (streamColumn !== undefined) {
    if (typeof streamColumn !== "string" || streamColumn.length === 0) {
      throw new InvalidArgumentError("streamColumn", "expected a non-empty column name");
    }
    if (frame.columns.includes(streamColumn)) {
      throw new InvalidArgumentError("streamColumn", `${JSON.stringify(streamColumn)} is already a column`);
    }
  }
  const metadataColumns = [
    streamColumn,
    entries.includeId ? entries.idColumn : undefined,
    entries.includeTimestamp ? entries.timestampColumn : undefined,
    entries.includeSequence ? entries.sequenceColumn : undefined,
  ].filter((name): name is string => name !== undefined);
  return { entries, streamColumn, metadataColumns };
}
