import { randomBytes } from "node:crypto";
import { constants, existsSync } from "node:fs";
import { access, readdir, readFile, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InvalidArgumentError } from "@polars-redis/core";
import pl from "nodejs-polars";
import type {
  CacheCompression,
  CacheFormat,
  DecodeOptions,
  IpcCompression,
  ParquetCompression,
} from "./codec.js";

/**
 * polars' encoders and decoders off the JS thread. nodejs-polars 0.25 encodes and decodes a Buffer only
 * synchronously, on the JS thread, and its Parquet and compressed IPC writers on one core; its lazy sinks and
 * scans run on polars' own threads (a Promise), but take a file path. So a payload goes through a file in a
 * memory-backed directory: a memcpy each way, against codecs that run several times longer.
 *
 * Measured (100 MB frame, 2 cores, quiet machine): Parquet zstd written 564 → 334 ms, compressed IPC 583 → 329 ms,
 * Parquet lz4 378 → 205 ms, uncompressed Parquet 125 → 106 ms; compressed IPC read as
 * four segments side by side 168 → 98 ms. Uncompressed IPC is faster in-thread (a memcpy-bound format), and so
 * is reading Parquet: polars' Parquet reader already decodes a Buffer's columns on several threads.
 */

/** Where the files go when a call does not say: memory (/dev/shm) on Linux, else the OS's temp dir. */
function defaultTempDir(): string {
  return existsSync("/dev/shm") ? "/dev/shm" : tmpdir();
}

/** Segments encoded and decoded through files so far (tests check which path a call took). */
export const offThreadCounts = { encoded: 0, decoded: 0 };

/** A file name this process owns: `polars-redis-<pid>-<random>`, so a later process can tell a dead one's. */
const FILE_PREFIX = "polars-redis-";

/** Directories checked (writable) and swept of dead processes' files, by path: undefined when unusable. */
const usable = new Map<string, Promise<string | undefined>>();

/**
 * The directory for a call's files, or undefined to encode and decode on the JS thread: `false` says so, a
 * directory that cannot be written to falls back to it. Checked once per directory per process.
 */
export async function resolveTempDir(option: string | false | undefined): Promise<string | undefined> {
  if (option === false) return undefined;
  const dir = option ?? defaultTempDir();
  let checked = usable.get(dir);
  if (checked === undefined) {
    checked = access(dir, constants.W_OK).then(
      () => {
        void sweepDeadFiles(dir);
        return dir;
      },
      () => undefined,
    );
    usable.set(dir, checked);
  }
  return checked;
}

export function checkTempDir(value: unknown): string | false | undefined {
  if (value === undefined || value === false) return value;
  if (typeof value !== "string" || value === "") {
    throw new InvalidArgumentError(
      "tempDir",
      `expected a directory path, or false to encode and decode on the JS thread; got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/**
 * Deletes the files of processes that are gone (a crash between writing a file and deleting it). A file whose
 * owner only looks gone (another PID namespace sharing the directory) costs that owner its fast path: its
 * codec then runs in-thread, nothing is lost.
 */
async function sweepDeadFiles(dir: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(FILE_PREFIX)) continue;
    const pid = Number(name.slice(FILE_PREFIX.length).split("-")[0]);
    if (!Number.isInteger(pid) || pid === process.pid || isAlive(pid)) continue;
    await unlink(join(dir, name)).catch(() => undefined);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"; // alive, someone else's
  }
}

function newFilePath(dir: string, format: CacheFormat): string {
  return join(
    dir,
    `${FILE_PREFIX}${process.pid}-${randomBytes(6).toString("hex")}.${format === "ipc" ? "arrow" : "parquet"}`,
  );
}

/** The frame as one IPC or Parquet file, encoded on polars' threads: the same bytes as writeIPC / writeParquet. */
export async function encodeOffThread(
  frame: pl.DataFrame,
  format: CacheFormat,
  compression: CacheCompression,
  dir: string,
): Promise<Buffer> {
  const path = newFilePath(dir, format);
  try {
    const lazy = frame.lazy();
    const sink =
      format === "ipc"
        ? // Its typings list "gzip" | "zstd" | "uncompressed"; lz4 works and writes writeIPC's bytes (tested).
          lazy.sinkIpc(path, { compression: compression as IpcCompression as "zstd" })
        : lazy.sinkParquet(path, { compression: compression as ParquetCompression });
    await sink.collect();
    const bytes = await readFile(path);
    offThreadCounts.encoded++;
    return bytes;
  } finally {
    await unlink(path).catch(() => undefined);
  }
}

/** A segment being decoded off the JS thread: `copied` once its bytes are in the file (the buffer is free again). */
export interface OffThreadDecode {
  readonly copied: Promise<void>;
  readonly frame: Promise<pl.DataFrame>;
}

/**
 * Decodes one IPC file's bytes on polars' threads, with `columns` (in the order given, as readIPC does).
 * `nRows` is the in-thread decoder's business (the caller knows heights only once frames are made). When the
 * file cannot be written, `decodeInThread` decodes `bytes` before `copied` settles.
 */
export function decodeIpcOffThread(
  bytes: Buffer,
  options: DecodeOptions,
  dir: string,
  decodeInThread: () => pl.DataFrame,
): OffThreadDecode {
  const path = newFilePath(dir, "ipc");
  const written = writeFile(path, bytes).then(
    () => true,
    () => false,
  );
  let fallback: pl.DataFrame | undefined;
  const copied = written.then((ok) => {
    if (!ok) fallback = decodeInThread();
  });
  const frame = (async () => {
    if (!(await written)) {
      await copied;
      return fallback!;
    }
    try {
      let lazy = pl.scanIPC(path);
      if (options.columns !== undefined) lazy = lazy.select(...options.columns);
      const frame = await lazy.collect();
      offThreadCounts.decoded++;
      return frame;
    } finally {
      await unlink(path).catch(() => undefined);
    }
  })();
  frame.catch(() => undefined); // awaited by the caller; never unhandled while earlier segments decode
  return { copied, frame };
}
