import { Writable } from "node:stream";
import { InvalidArgumentError } from "@polars-redis/core";
import pl from "nodejs-polars";

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
 * Serialises a frame into the buffers polars hands out, without the final `Buffer.concat` that
 * `writeIPC()` / `writeParquet()` do: the payload is cut into chunks from these parts, copying only where a
 * chunk straddles two parts. (polars writes synchronously into the stream, in a few large writes.)
 */
export function encodeFrame(
  frame: pl.DataFrame,
  format: CacheFormat,
  compression: CacheCompression,
): Buffer[] {
  const parts: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      parts.push(chunk);
      callback();
    },
  });
  if (format === "ipc") frame.writeIPC(sink, { compression: compression as IpcCompression });
  else frame.writeParquet(sink, { compression: compression as ParquetCompression });
  sink.end();
  return parts.filter((part) => part.length > 0);
}

/** Total byte length of `parts`. */
export function byteLength(parts: readonly Buffer[]): number {
  let total = 0;
  for (const part of parts) total += part.length;
  return total;
}

/** Cuts `parts` into slices of `chunkBytes` (the last one shorter): views where possible, copies where not. */
export function* sliceParts(parts: readonly Buffer[], chunkBytes: number): Generator<Buffer> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for (const part of parts) {
    let offset = 0;
    while (offset < part.length) {
      const take = Math.min(chunkBytes - pendingBytes, part.length - offset);
      const piece = part.subarray(offset, offset + take);
      offset += take;
      if (pendingBytes === 0 && take === chunkBytes) {
        yield piece;
        continue;
      }
      pending.push(piece);
      pendingBytes += take;
      if (pendingBytes === chunkBytes) {
        yield Buffer.concat(pending, pendingBytes);
        pending = [];
        pendingBytes = 0;
      }
    }
  }
  if (pendingBytes > 0) yield pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
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

/** Reads a payload back into a frame; the format comes from the bytes themselves. */
export function decodeFrame(payload: Buffer, options: DecodeOptions = {}): pl.DataFrame {
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
  const schema: Record<string, string> = {};
  for (const [name, dtype] of Object.entries(frame.schema)) schema[name] = dtypeText(dtype);
  return schema;
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
