import pl from "nodejs-polars";

/** Every format and codec the cache groups measure, as [format, compression]. */
export const FORMATS = [
  ["ipc", "uncompressed"],
  ["ipc", "lz4"],
  ["ipc", "zstd"],
  ["parquet", "uncompressed"],
  ["parquet", "lz4"],
  ["parquet", "zstd"],
] as const;

/** The hand-written way's encoding: one `writeIPC({ compression })` / `writeParquet({ compression })` call. */
export function encodeWhole(frame: pl.DataFrame, format: string, compression: string): Buffer {
  return format === "ipc"
    ? frame.writeIPC({ compression: compression as "lz4" | "zstd" })
    : frame.writeParquet({ compression: compression as "uncompressed" | "lz4" | "zstd" });
}

/** The hand-written way's decoding: one `readIPC()` / `readParquet()` call on the whole payload. */
export function decodeWhole(payload: Buffer, format: string): pl.DataFrame {
  return format === "ipc" ? pl.readIPC(payload) : pl.readParquet(payload);
}
