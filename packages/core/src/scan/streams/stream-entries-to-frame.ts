import type { DataFrame } from "nodejs-polars";
import { InvalidArgumentError } from "../../errors/invalid-argument-error.js";
import { CoercionPolicy, type OnError } from "../coercion-policy.js";
import { assembleFrameFromSeries, type NamedColumn } from "../columns/assemble-frame.js";
import { onErrorPolicy } from "../scan-options.js";
import { resolveStreamLayout, type StreamLayoutOptions, streamColumnSpecs } from "./stream-column-layout.js";
import { StreamEntryColumns } from "./stream-entry-columns.js";

/** One stream entry as XRANGE / XREAD / XREADGROUP return it; `null` fields: deleted while pending. */
export type StreamEntry = readonly [id: string | Buffer, fields: readonly (string | Buffer)[] | null];

export interface StreamEntriesOptions extends StreamLayoutOptions {
  /** ["raise"] */
  onError?: OnError;
  /** The stream's name, for SchemaMismatchError messages. ["stream"] */
  stream?: string;
}

/**
 * Turns stream entries already read (by a consumer, say) into a DataFrame with exactly the columns and
 * coercion rules of `scanStreams`: `[_id] [_ts] [_seq]` then the fields. Returns the frame and, with
 * `onError: "null"`, how many values per field became null.
 */
export function streamEntriesToFrame(
  entries: readonly StreamEntry[],
  options: StreamEntriesOptions = {},
): { frame: DataFrame; coercedToNull: Record<string, number> } {
  if (!Array.isArray(entries))
    throw new InvalidArgumentError("entries", "expected an array of [id, fields] entries");
  const onError = onErrorPolicy(options.onError);
  const layout = resolveStreamLayout(options);
  const coercedToNull = new Map<string, number>();
  const columns = new StreamEntryColumns(layout, new CoercionPolicy(onError, coercedToNull), entries.length);
  const stream = options.stream ?? "stream";
  for (const [id, fields] of entries) columns.append(stream, id, fields);
  const { columns: declared, extraColumns } = columns.finish();
  const named: NamedColumn[] = streamColumnSpecs(layout).map((spec, i) => ({
    name: spec.name,
    data: declared[i]!,
  }));
  named.push(...(extraColumns ?? []));
  return { frame: assembleFrameFromSeries(named), coercedToNull: Object.fromEntries(coercedToNull) };
}
