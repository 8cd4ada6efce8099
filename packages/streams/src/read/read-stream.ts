import type { RedisConnection } from "@polars-redis/core";
import pl, { type DataFrame } from "nodejs-polars";
import { entriesToFrame } from "../frame/entries-to-frame.js";
import { resolveFrameOptions } from "../frame/stream-frame-options.js";
import { type ScanStreamOptions, scanStream } from "./scan-stream.js";

export type ReadStreamOptions = ScanStreamOptions;

/**
 * Reads one stream (or a range of it) into a single DataFrame: `scanStream`'s pages concatenated. An empty
 * or missing stream gives an empty frame with the metadata and schema columns.
 */
export async function readStream(conn: RedisConnection, options: ReadStreamOptions): Promise<DataFrame> {
  const frames: DataFrame[] = [];
  for await (const frame of scanStream(conn, options)) frames.push(frame);
  if (frames.length === 0) return entriesToFrame([], resolveFrameOptions(options, false)).frame;
  if (frames.length === 1) return frames[0]!;
  // Pages may differ in their sets of untyped fields: "diagonal" aligns them by name, filling nulls.
  return pl.concat(frames, { how: "diagonal" });
}
