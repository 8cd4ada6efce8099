import { Writable } from "node:stream";
import { InvalidArgumentError } from "@polars-redis/core";
import pl from "nodejs-polars";
import { decodeIpcOffThread, encodeOffThread, resolveTempDir } from "./off-thread-codec.js";
import { forEachInWindow } from "./window.js";

export type CacheFormat = "ipc" | "parquet";
export type IpcCompression = "uncompressed" | "lz4" | "zstd";
export type ParquetCompression = "uncompressed" | "snappy" | "gzip" | "brotli" | "lz4" | "zstd";
export type CacheCompression = IpcCompression | ParquetCompression;

/**
 * The codecs nodejs-polars 0.25.2 writes and reads back for each format (checked against its sources and by
 * round trips). IPC accepts any string without complaint and silently writes uncompressed for unknown ones, so
 * the list is enforced here. Parquet's "lzo" is left out: polars' Parquet writer does not implement it.
 */
export const COMPRESSIONS: Readonly<Record<CacheFormat, readonly CacheCompression[]>> = {
  ipc: ["uncompressed", "lz4", "zstd"],
  parquet: ["uncompressed", "snappy", "gzip", "brotli", "lz4", "zstd"],
};

/** The defaults of the original library: IPC for speed, uncompressed; Parquet for size, zstd. */
export const DEFAULT_COMPRESSION: Readonly<Record<CacheFormat, CacheCompression>> = {
  ipc: "uncompressed",
  parquet: "zstd",
};

export function checkFormat(format: unknown): CacheFormat {
  if (format === undefined) return "ipc";
  if (format === "ipc" || format === "parquet") return format;
  throw new InvalidArgumentError("format", `expected "ipc" or "parquet", got ${JSON.stringify(format)}`);
}

export function checkCompression(format: CacheFormat, compression: unknown): CacheCompression {
  if (compression === undefined) return DEFAULT_COMPRESSION[format];
  const allowed = COMPRESSIONS[format];
  if (typeof compression !== "string" || !allowed.includes(compression as CacheCompression)) {
    throw new InvalidArgumentError(
      "compression",
      `${format} supports ${allowed.map((name) => JSON.stringify(name)).join(", ")}; got ${JSON.stringify(compression)}`,
    );
  }
  return compression as CacheCompression;
}

/**
 * How a frame is cut into segments (sizes as uncompressed IPC): a frame of less than two `minBytes` stays one;
 * a larger one gets about four segments, each of `minBytes` to `bytes`. For Parquet and compressed IPC the
 * least segment is `COMPRESSED_MIN_FACTOR` × `minBytes` (see there). Mutable for tests only (not exported from the
 * package): they cut small frames into segments.
 *
 * 2 MiB (it was 4 MiB): a 10 MB frame is four segments of 2.5 MB, and a read holds three segment buffers
 * beside the frame it builds (peak RSS 2.67× → 2.43× the frame, measured in a warmed process).
 */
export const segmenting = { bytes: 32 * 1024 * 1024, minBytes: 2 * 1024 * 1024 };

/**
 * A compressed payload is a fraction of the frame, so one file of it costs the write little memory beyond the
 * frame (10 MB, IPC/Parquet zstd: 1.6× the frame as one file or as segments), while every segment costs a file
 * of its own to encode in-thread (Parquet zstd: +12% CPU in four segments, uncompressed Parquet 2.3× the time
 * of one file). In-thread, payloads other than uncompressed IPC are therefore segmented from 4 × minBytes per
 * segment: 8 MiB, frames of 16 MiB or more (10 MB uncompressed Parquet as one file: write peak 1.3–1.7×, read
 * 2.3× the frame). polars' off-thread sinks have no per-file cost (10 MB Parquet zstd: one file 45 ms, four
 * segments 38 ms) but hold about a copy of what they encode: as one file, a 10 MB write peaked at 2.3–3.2× the
 * frame (Parquet uncompressed 3.22×, lz4 2.93×), as 2 MiB segments at 1.0–2.0×. Off the JS thread every format
 * is therefore segmented like uncompressed IPC; reading four Parquet segments costs a little more than one
 * file (10 MB zstd: 11.0 vs 9.7 ms decoding, medians of 25), while the next segment arrives during a decode.
 */
const COMPRESSED_MIN_FACTOR = 4;

export interface SegmentLimits {
  readonly bytes: number;
  readonly minBytes: number;
}
/** Rows serialised to estimate a frame's bytes per row. */
const SAMPLE_ROWS = 1024;

/** A serialised frame: the buffers polars handed out, and the byte length of each segment they hold. */
export interface EncodedFrame {
  readonly parts: Buffer[];
  /** One entry per segment (a complete IPC or Parquet file of consecutive rows), in row order. */
  readonly segments: number[];
}

/**
 * Serialises a frame into the buffers polars hands out, without the final `Buffer.concat` that
 * `writeIPC()` / `writeParquet()` do: the payload is cut into chunks from views of these parts.
 *
 * A frame of 4 MiB or more is written as several **segments** (see `segmenting`), each a complete IPC or Parquet
 * file of consecutive rows, one after the other: polars builds each record batch in memory of its own
 * before handing it over as a copy, so one file of the whole frame would hold the frame, that memory and the
 * copy at once (3× the frame); a segment at a time holds the frame, the copies so far and one segment.
 *
 * Uncompressed IPC is encoded on the JS thread (a memcpy-bound format, faster there). Parquet and compressed IPC
 * are encoded on polars' threads through files in `tempDir` (the option as given: see resolveTempDir), two
 * segments at a time; with `tempDir: false`, a directory that cannot be written to, or for a segment whose file
 * fails, on the JS thread. In-thread, their segments are of 8 MiB or more (see `COMPRESSED_MIN_FACTOR`).
 */
export async function encodeFrame(
  frame: pl.DataFrame,
  format: CacheFormat,
  compression: CacheCompression,
  {
    limits = segmenting,
    tempDir: tempDirOption,
  }: { limits?: SegmentLimits; tempDir?: string | false | undefined } = {},
): Promise<EncodedFrame> {
  const plainIpc = format === "ipc" && compression === "uncompressed";
  const tempDir = plainIpc ? undefined : await resolveTempDir(tempDirOption);
  const offThread = tempDir !== undefined;
  const rows = segmentRows(frame, plainIpc || offThread ? limits : compressedLimits(limits));
  const slices =
    rows >= frame.height
      ? [frame]
      : Array.from({ length: Math.ceil(frame.height / rows) }, (_, index) => frame.slice(index * rows, rows));
  const encoded: Buffer[][] = new Array(slices.length);
  if (offThread) {
    await forEachInWindow(slices.length, SEGMENTS_ENCODED_AT_ONCE, async (index) => {
      const slice = slices[index]!;
      encoded[index] = await encodeOffThread(slice, format, compression, tempDir).then(
        (file) => [file],
        () => encodeSegment(slice, format, compression), // polars' error, if any, comes from the writer itself
      );
      return true;
    });
  } else {
    for (let index = 0; index < slices.length; index++) {
      encoded[index] = encodeSegment(slices[index]!, format, compression);
    }
  }
  return { parts: encoded.flat(), segments: encoded.map(byteLength) };
}

/**
 * Segments encoded on polars' threads at once: its Parquet and IPC sinks already use every core for one file, so
 * a second one only fills the gaps between them (100 MB Parquet zstd: one at a time 371 ms, four at once 334 ms),
 * and each holds its file and its bytes.
 */
const SEGMENTS_ENCODED_AT_ONCE = 2;

/** The limits for Parquet and compressed IPC: the least segment `COMPRESSED_MIN_FACTOR` times larger. */
function compressedLimits(limits: SegmentLimits): SegmentLimits {
  return {
    bytes: limits.bytes,
    minBytes: Math.min(limits.bytes, COMPRESSED_MIN_FACTOR * limits.minBytes),
  };
}

/** Rows per segment (see `segmenting`), from the IPC size of a sample of rows. */
function segmentRows(frame: pl.DataFrame, limits: SegmentLimits): number {
  if (frame.height <= 2 * SAMPLE_ROWS) return frame.height;
  const empty = frame.head(0).writeIPC().length;
  const perRow = Math.max(1, (frame.head(SAMPLE_ROWS).writeIPC().length - empty) / SAMPLE_ROWS);
  const estimate = perRow * frame.height;
  if (estimate < 2 * limits.minBytes) return frame.height;
  const segmentBytes = Math.min(limits.bytes, Math.max(limits.minBytes, estimate / 4));
  return Math.max(SAMPLE_ROWS, Math.floor(segmentBytes / perRow));
}

/**
 * Writes smaller than this are gathered in a buffer of `COALESCE_BUFFER_BYTES` (a part of its own when full,
 * else a copy of its used bytes); larger ones are kept as the Buffers polars handed out. polars' Parquet writer hands the stream one Buffer per page header, length
 * and magic (5,310 writes for a 10 MB frame, most of 1 byte); each would become a piece of a chunk's `writev`.
 */
export const COALESCE_BELOW_BYTES = 64 * 1024;
const COALESCE_BUFFER_BYTES = 256 * 1024;

function encodeSegment(frame: pl.DataFrame, format: CacheFormat, compression: CacheCompression): Buffer[] {
  const parts: Buffer[] = [];
  let pending: Buffer | undefined; // the shared buffer small writes are copied into
  let filled = 0;
  const flush = () => {
    if (pending === undefined || filled === 0) return;
    if (filled === pending.length) {
      parts.push(pending);
      pending = undefined;
    } else {
      parts.push(Buffer.from(pending.subarray(0, filled))); // a copy of what is used: pending is reused
    }
    filled = 0;
  };
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (chunk.length >= COALESCE_BELOW_BYTES) {
        flush();
        parts.push(chunk);
      } else if (chunk.length > 0) {
        if (pending !== undefined && filled + chunk.length > pending.length) flush();
        pending ??= Buffer.allocUnsafeSlow(COALESCE_BUFFER_BYTES);
        filled += chunk.copy(pending, filled);
      }
      callback();
    },
  });
  if (format === "ipc") frame.writeIPC(sink, { compression: compression as IpcCompression });
  else frame.writeParquet(sink, { compression: compression as ParquetCompression });
  sink.end();
  flush();
  return parts;
}

/** Total byte length of `parts`. */
export function byteLength(parts: readonly Buffer[]): number {
  let total = 0;
  for (const part of parts) total += part.length;
  return total;
}

/**
 * The byte ranges [start, end) of a payload's chunks: each segment (the whole payload when there is one) cut
 * into pieces of `chunkBytes`, the last one of each segment shorter, so no chunk spans two segments and a
 * reader can decode a segment as soon as its chunks are in.
 */
export function chunkRanges(
  bytes: number,
  chunkBytes: number,
  segments?: readonly number[] | undefined,
): [number, number][] {
  const ranges: [number, number][] = [];
  for (const [start, end] of segmentRanges(segments ?? [bytes])) {
    for (let offset = start; offset < end; offset += chunkBytes) {
      ranges.push([offset, Math.min(offset + chunkBytes, end)]);
    }
  }
  if (ranges.length === 0) ranges.push([0, 0]); // an empty payload is one empty chunk
  return ranges;
}

/**
 * Cuts `parts` into the given consecutive `ranges`, each as the views of `parts` it spans: no bytes are copied
 * (a raw channel writes the views as they are; a client's SET concatenates them).
 */
export function* sliceParts(
  parts: readonly Buffer[],
  ranges: readonly [number, number][],
): Generator<Buffer[]> {
  let part = 0;
  let partStart = 0; // payload offset of parts[part]
  for (const [start, end] of ranges) {
    const pieces: Buffer[] = [];
    let at = start;
    while (at < end) {
      while (partStart + parts[part]!.length <= at) partStart += parts[part++]!.length;
      const current = parts[part]!;
      const take = Math.min(end, partStart + current.length) - at;
      pieces.push(current.subarray(at - partStart, at - partStart + take));
      at += take;
    }
    yield pieces;
  }
}

const IPC_MAGIC = Buffer.from("ARROW1", "latin1");
const PARQUET_MAGIC = Buffer.from("PAR1", "latin1");

/** The format of a payload, from its leading magic bytes (Arrow IPC files start "ARROW1", Parquet "PAR1"). */
export function detectFormat(payload: Buffer): CacheFormat | undefined {
  if (payload.length >= 6 && payload.subarray(0, 6).equals(IPC_MAGIC)) return "ipc";
  if (payload.length >= 4 && payload.subarray(0, 4).equals(PARQUET_MAGIC)) return "parquet";
  return undefined;
}

export interface DecodeOptions {
  readonly columns?: readonly string[] | undefined;
  readonly nRows?: number | undefined;
}

/**
 * Reads a payload back into a frame; the format comes from the bytes themselves. A payload of several segments
 * (`segments`: their byte lengths) is read segment by segment from views of it, and the frames are stacked
 * without a copy (the result has one chunk per segment); `nRows` stops at the segment that completes it.
 */
export function decodeFrame(
  payload: Buffer,
  options: DecodeOptions = {},
  segments?: readonly number[],
): pl.DataFrame {
  if (segments === undefined || segments.length <= 1) return decodeSegment(payload, options);
  const frames: pl.DataFrame[] = [];
  let offset = 0;
  let rowsLeft = options.nRows;
  for (const length of segments) {
    if (rowsLeft === 0 && frames.length > 0) break;
    const frame = decodeSegment(payload.subarray(offset, offset + length), {
      columns: options.columns,
      nRows: rowsLeft,
    });
    frames.push(frame);
    offset += length;
    if (rowsLeft !== undefined) rowsLeft -= frame.height;
  }
  return stackFrames(frames);
}

/**
 * Whether a payload's segments are decoded on polars' threads, side by side (see off-thread-codec.ts), when a
 * temp directory is usable: compressed IPC of several segments of `offThreadDecode.minSegmentBytes` or more on
 * average, without `nRows` (which needs each segment's height before the next is read). Uncompressed IPC and
 * Parquet decode faster on the JS thread (polars' Parquet reader already uses every core).
 */
export function decodesOffThread(
  head: {
    readonly format: CacheFormat;
    readonly compression: CacheCompression;
    readonly bytes: number;
    readonly segments?: readonly number[] | undefined;
  },
  options: DecodeOptions,
): boolean {
  return (
    head.format === "ipc" &&
    head.compression !== "uncompressed" &&
    (head.segments?.length ?? 0) > 1 &&
    head.bytes >= offThreadDecode.minSegmentBytes * head.segments!.length &&
    options.nRows === undefined
  );
}

/**
 * Below this many payload bytes per segment, compressed IPC decodes faster in-thread: on 2 cores, two decodes
 * side by side take the core the fetch and the server need, and a file per segment costs ~1 ms. In one process,
 * alternating (medians, ms, hand-written GET + readIPC / in-thread / off-thread): 10 MB zstd (0.9 MB segments)
 * 17.6 / 16.7 / 22.2, 30 MB (2.6 MB) 65.5 / 63.3 / 62.2, 100 MB (8.8 MB) 206 / 207 / 165. Mutable for tests.
 */
export const offThreadDecode = { minSegmentBytes: 4 * 1024 * 1024 };

/** Segments decoded on polars' threads at once (each holds its file; the JS thread is free meanwhile). */
export const SEGMENTS_DECODED_AT_ONCE = 2;

/** decodeFrame on polars' threads, `SEGMENTS_DECODED_AT_ONCE` segments at a time (see decodesOffThread). */
export async function decodeFrameOffThread(
  payload: Buffer,
  options: DecodeOptions,
  segments: readonly number[],
  tempDir: string,
): Promise<pl.DataFrame> {
  const ranges = segmentRanges(segments);
  const frames: pl.DataFrame[] = new Array(ranges.length);
  await forEachInWindow(ranges.length, SEGMENTS_DECODED_AT_ONCE, async (index) => {
    const [start, end] = ranges[index]!;
    const bytes = payload.subarray(start, end);
    frames[index] = await decodeIpcOffThread(bytes, options, tempDir, () => decodeSegment(bytes, options))
      .frame;
    return true;
  });
  return stackFrames(frames);
}

/** Frames of the same schema one under the other, without a copy: one chunk per frame. */
export function stackFrames(frames: pl.DataFrame[]): pl.DataFrame {
  return frames.length === 1 ? frames[0]! : pl.concat(frames, { how: "vertical", rechunk: false });
}

/** The byte ranges [start, end) of a payload's segments. */
export function segmentRanges(segments: readonly number[]): [number, number][] {
  const ranges: [number, number][] = [];
  let offset = 0;
  for (const length of segments) {
    ranges.push([offset, offset + length]);
    offset += length;
  }
  return ranges;
}

function decodeSegment(payload: Buffer, options: DecodeOptions): pl.DataFrame {
  const format = detectFormat(payload);
  const read: { columns?: string[]; nRows?: number } = {};
  if (options.columns !== undefined) read.columns = [...options.columns];
  if (options.nRows !== undefined) read.nRows = options.nRows;
  if (format === "ipc") return pl.readIPC(payload, read);
  if (format === "parquet") return pl.readParquet(payload, read);
  throw new Error("the cached payload is neither Arrow IPC nor Parquet (unknown leading bytes)");
}

/** Column name → polars dtype text, e.g. `{ "id": "Int64", "tags": "List(String)" }`. */
export function schemaOf(frame: pl.DataFrame): Record<string, string> {
  return Object.fromEntries(schemaEntries(frame));
}

/**
 * [column name, dtype text] in column order. From `columns` and `dtypes` (two calls into polars), not
 * `frame.schema`, which builds a Series object per column: 3–15 ms for a 12-column frame, measured.
 */
export function schemaEntries(frame: pl.DataFrame): [string, string][] {
  const dtypes = frame.dtypes;
  return frame.columns.map((name, index) => [name, dtypeText(dtypes[index])]);
}

/** polars prints `DataType(List(DataType(Int64)))`; keep the readable inner text: `List(Int64)`. */
export function dtypeText(dtype: unknown): string {
  const text = String(dtype);
  const wrapper = "DataType(";
  let out = "";
  // For every "(" seen: whether its ")" closes a DataType( wrapper (dropped) or belongs to the type (kept).
  const opens: boolean[] = [];
  for (let at = 0; at < text.length; at++) {
    if (text.startsWith(wrapper, at)) {
      opens.push(true);
      at += wrapper.length - 1;
    } else if (text[at] === "(") {
      opens.push(false);
      out += "(";
    } else if (text[at] === ")") {
      if (opens.pop() !== true) out += ")";
    } else {
      out += text[at];
    }
  }
  return out;
}
