import { streamEntriesToFrame } from "@polars-redis/core/internal";
import pl, { type DataFrame } from "nodejs-polars";
import type { StreamEntry } from "./stream-entry.js";
import type { ResolvedFrameOptions } from "./stream-frame-options.js";

export interface EntriesFrame {
  frame: DataFrame;
  /** Field values that did not fit their dtype and became null (onError "null"). */
  nulled: number;
}

/** One DataFrame for entries of one or several streams, built by core's column builders. */
export function entriesToFrame(entries: readonly StreamEntry[], options: ResolvedFrameOptions): EntriesFrame {
  const streams = new Set(entries.map((entry) => entry.stream));
  const { frame, coercedToNull } = streamEntriesToFrame(
    entries.map((entry) => [entry.id, entry.fields] as const),
    { ...options.entries, stream: [...streams].join(", ") || "stream" },
  );
  let nulled = 0;
  for (const count of Object.values(coercedToNull)) nulled += count;
  if (options.streamColumn === undefined) return { frame, nulled };
  const streamSeries = pl.Series(
    options.streamColumn,
    entries.map((entry) => entry.stream),
    pl.Utf8,
  );
  return { frame: pl.DataFrame([streamSeries, ...frame.getColumns()]), nulled };
}
