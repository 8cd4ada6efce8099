import pl, { type DataFrame } from "nodejs-polars";
import type { Scan } from "./scan.js";

/** Rows per frame while reading everything: fewer, larger frames save per-Series fixed costs. */
const READ_ALL_FRAME_ROWS = 50_000;

/**
 * Runs a scan to the end and returns one frame: the batches concatenated in order with an explicit
 * `how` ("vertical": every batch has the same schema; "diagonal" when frames may differ in columns, such as
 * streams read without a schema; the default fold would be quadratic), or an empty frame with the scan's
 * columns when nothing matched.
 */
export async function readAll(scan: Scan): Promise<DataFrame> {
  const frames: DataFrame[] = [];
  for await (const frame of scan.frames(READ_ALL_FRAME_ROWS)) frames.push(frame);
  if (frames.length === 0) return scan.emptyFrame();
  if (frames.length === 1) return frames[0]!;
  return pl.concat(frames, { how: scan.dynamicColumns ? "diagonal" : "vertical", rechunk: true });
}
