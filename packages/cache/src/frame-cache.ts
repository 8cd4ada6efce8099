import { randomBytes } from "node:crypto";
import {
  InvalidArgumentError,
  isCommandError,
  RedisCommandError,
  type RedisConnection,
  type RedisReply,
} from "@polars-redis/core";
import {
  checkConnection,
  checkOptions,
  optionNames,
  RespErrorReply,
  type RespValue,
  replyAt,
} from "@polars-redis/core/internal";
import type pl from "nodejs-polars";
import {
  byteLength,
  type CacheCompression,
  type CacheFormat,
  checkCompression,
  checkFormat,
  chunkRanges,
  type DecodeOptions,
  decodeFrame,
  decodeFrameOffThread,
  decodesOffThread,
  encodeFrame,
  SEGMENTS_DECODED_AT_ONCE,
  schemaOf,
  segmentRanges,
  sliceParts,
  stackFrames,
} from "./codec.js";
import { checkKey, describe, type EntryKeys, entryKeys } from "./entry-keys.js";
import { outcomeUnknown, withContext } from "./errors.js";
import { checkTempDir, decodeIpcOffThread, resolveTempDir } from "./off-thread-codec.js";
import {
  checkChunkBytes,
  checkInlineBytes,
  checkNonNegativeInteger,
  DEFAULT_RECLAIM_DELAY_SECONDS,
  DEFAULT_STAGING_TTL_SECONDS,
  secondsToMs,
} from "./options.js";
import { RawChunks } from "./raw-chunks.js";
import { giveBackScratch, takeScratch } from "./scratch-buffers.js";
import { DELETE, LAYOUT, PUBLISH } from "./scripts.js";
import { forEachInWindow } from "./window.js";

export interface CacheWriteOptions {
  /** "ipc" (Arrow IPC file, fastest) or "parquet" (smallest). ["ipc"] */
  format?: CacheFormat | undefined;
  /**
   * polars' own codec. IPC: "uncompressed" | "lz4" | "zstd" ["uncompressed"]. Parquet: "uncompressed" |
   * "snappy" | "gzip" | "brotli" | "lz4" | "zstd" ["zstd"].
   */
  compression?: CacheCompression | undefined;
  /** Time to live of the entry, in seconds (fractions allowed). None by default. */
  ttl?: number | undefined;
  /** Largest chunk stored under one key, 1 KiB to 512 MiB. [16 MiB] */
  chunkBytes?: number | undefined;
  /**
   * A payload of at most this many bytes (and at most `chunkBytes`) is stored in the head itself, not in a
   * chunk: one round trip to write it and one to read it. 0 keeps every payload in chunks. [1 MiB]
   */
  inlineBytes?: number | undefined;
  /** Seconds the replaced version's chunks stay readable for readers already fetching them (0: delete at once). [10] */
  reclaimDelay?: number | undefined;
  /** Seconds a staged chunk lives if the write never publishes it (a crash, a lost connection). [600] */
  stagingTtl?: number | undefined;
  /**
   * Where polars' encoders and decoders, run on its own threads, exchange files with this process (they take
   * paths, not buffers; a file lives only while one segment is encoded or decoded). Default: /dev/shm on Linux
   * (memory), else the OS's temp dir. `false` encodes and decodes on the JS thread, as does a directory that
   * cannot be written to. See docs/caching.md.
   */
  tempDir?: string | false | undefined;
}

const WRITE_OPTION_NAMES = optionNames<CacheWriteOptions>()([
  "format",
  "compression",
  "ttl",
  "chunkBytes",
  "inlineBytes",
  "reclaimDelay",
  "stagingTtl",
  "tempDir",
]);

export interface CacheReadOptions {
  /** Read only these columns (checked against the cached schema before anything is fetched). */
  columns?: readonly string[] | undefined;
  /** Read only the first n rows. */
  nRows?: number | undefined;
  /**
   * Where polars' encoders and decoders, run on its own threads, exchange files with this process (they take
   * paths, not buffers; a file lives only while one segment is encoded or decoded). Default: /dev/shm on Linux
   * (memory), else the OS's temp dir. `false` encodes and decodes on the JS thread, as does a directory that
   * cannot be written to. See docs/caching.md.
   */
  tempDir?: string | false | undefined;
}

const READ_OPTION_NAMES = optionNames<CacheReadOptions>()(["columns", "nRows", "tempDir"]);

/** What a cache entry holds, from its head; `ttl` is the seconds left, or null without a TTL. */
export interface CacheInfo {
  readonly key: string;
  readonly format: CacheFormat;
  readonly compression: CacheCompression;
  /** Payload size in bytes (the serialised frame, after compression). */
  readonly bytes: number;
  /** Chunks holding the payload; 0 when it is stored in the head itself (see `inlineBytes`). */
  readonly chunks: number;
  readonly chunkBytes: number;
  readonly rows: number;
  /** Column name → polars dtype, e.g. `{ id: "Int64", tags: "List(String)" }`. */
  readonly schema: Readonly<Record<string, string>>;
  readonly created: Date;
  readonly ttl: number | null;
  /** The generation id of this version: changes with every write. */
  readonly generation: string;
}

/**
 * Chunk SETs/GETs in flight at once: enough to keep the socket busy, few enough to bound memory (the client's
 * copies of chunks in flight, the server's output buffers). Over a raw channel a chunk costs the client no copy.
 */
const WRITE_WINDOW = 2;
const READ_WINDOW = 2;
const RAW_WINDOW = 3;
/**
 * Segments of a segmented payload fetched ahead of the one being decoded (each in a buffer of its own). One:
 * fetching a segment takes longer than decoding it, so a second one ahead gained nothing (100 MB: 211 vs
 * 222 ms, alternating medians) and held one more segment (10 MB read peak 2.2× vs 2.4× the frame).
 */
const SEGMENTS_AHEAD = 1;
/** Reads retried when a writer replaced the version between reading the head and its chunks. */
const READ_ATTEMPTS = 20;

/**
 * Stores `frame` under `key` as Arrow IPC or Parquet, as a new version published atomically: a reader gets the
 * previous version or this one, never a mix. The payload is cut into chunks (`chunkBytes`), staged under a new
 * generation id with a staging TTL, then a small head hash is replaced by one script that also gives the chunks
 * the entry's TTL and reclaims the previous version's chunks. Every key of the entry shares the key's hash slot.
 *
 * If a chunk is refused (OOM) or the connection drops, nothing is published: the previous version stays
 * readable, the staged chunks are deleted (or, if the connection is gone, expire with their staging TTL), and
 * the error (RedisCommandError / RedisConnectionError, same code) says which step failed.
 *
 * ```ts
 * await cacheDataFrame(conn, "report:2024", frame, { format: "parquet", compression: "zstd", ttl: 3600 });
 * ```
 */
export async function cacheDataFrame(
  conn: RedisConnection,
  key: string,
  frame: pl.DataFrame,
  options: CacheWriteOptions = {},
): Promise<CacheInfo> {
  return cacheFrame("cacheDataFrame", conn, key, frame, options);
}

/** cacheDataFrame's body, under the name of the public function called (cacheTable calls it too). */
export async function cacheFrame(
  caller: string,
  conn: RedisConnection,
  key: string,
  frame: pl.DataFrame,
  options: CacheWriteOptions = {},
): Promise<CacheInfo> {
  checkConnection(conn, { function: caller });
  checkKey(key);
  checkFrame(frame);
  checkOptions(options, WRITE_OPTION_NAMES, { function: caller });
  const format = checkFormat(options.format);
  const compression = checkCompression(format, options.compression);
  const ttlMs = secondsToMs(options.ttl, "ttl");
  const chunkBytes = checkChunkBytes(options.chunkBytes);
  const inlineBytes = Math.min(checkInlineBytes(options.inlineBytes), chunkBytes);
  const reclaimMs = secondsToMs(options.reclaimDelay ?? DEFAULT_RECLAIM_DELAY_SECONDS, "reclaimDelay", {
    allowZero: true,
  })!;
  const stagingMs = secondsToMs(options.stagingTtl ?? DEFAULT_STAGING_TTL_SECONDS, "stagingTtl")!;
  const tempDir = checkTempDir(options.tempDir);

  const keys = entryKeys(key);
  const { parts, segments } = await encodeFrame(frame, format, compression, { tempDir });
  const bytes = byteLength(parts);
  const inline = bytes <= inlineBytes;
  const ranges = inline ? [] : chunkRanges(bytes, chunkBytes, segments);
  const chunks = ranges.length;
  const generation = newGeneration();
  const chunkKeys = Array.from({ length: chunks }, (_, index) => keys.chunk(generation, index));

  const created = Date.now();
  const schema = schemaOf(frame);
  // What the head and the returned CacheInfo share.
  const described = { format, compression, bytes, chunks, chunkBytes, rows: frame.height };
  const fields: Record<string, string | number | Buffer> = {
    layout: LAYOUT,
    ...described,
    schema: JSON.stringify(schema),
    created,
    gen: generation,
    base: keys.base,
  };
  if (segments.length > 1) fields.segments = segments.join(",");
  // An inline payload is the head's `data` field: the publish script alone writes the whole version.
  if (inline) fields.data = parts.length === 1 ? parts[0]! : Buffer.concat(parts, bytes);
  const publishArgs = [ttlMs ?? 0, reclaimMs, LAYOUT, ...Object.entries(fields).flat()];
  const raw = inline ? undefined : await RawChunks.for(conn, "write").catch(() => undefined);
  const publish = (): Promise<unknown> =>
    raw === undefined || raw.closed
      ? PUBLISH.run(conn, [keys.head, ...chunkKeys], publishArgs)
      : raw
          .command([
            "EVAL",
            PUBLISH.source,
            String(1 + chunkKeys.length),
            keys.head,
            ...chunkKeys,
            ...publishArgs.map(String),
          ])
          .then(throwErrorReply("EVAL"));
  const info: CacheInfo = {
    key,
    ...described,
    schema,
    created: new Date(created),
    ttl: ttlMs === undefined ? null : ttlMs / 1000,
    generation,
  };
  if (inline) {
    parts.length = 0;
    try {
      await publish();
    } catch (error) {
      throw withContext(
        error,
        outcomeUnknown(error)
          ? `cacheDataFrame(${JSON.stringify(key)}): the connection failed while publishing, so the new version may or ` +
              "may not be live (either way every read sees one whole version)"
          : `cacheDataFrame(${JSON.stringify(key)}): publishing was refused, nothing changed`,
      );
    }
    return info;
  }
  const sendChunk: SendChunk =
    raw === undefined
      ? (chunkKey, pieces) =>
          conn.call(
            "SET",
            chunkKey,
            pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces),
            "PX",
            stagingMs,
          )
      : (chunkKey, pieces, pieceBytes) =>
          raw.set(chunkKey, pieces, pieceBytes, ["PX", String(stagingMs)]).then(throwErrorReply("SET"));

  // The publish script is sent right behind the last chunk (on the same socket), without waiting for the
  // chunks' replies: it checks that every chunk exists, so a chunk that failed makes it refuse, and a round trip
  // is saved.
  let published: Promise<unknown> | undefined;
  const staged = await stageChunks(
    sendChunk,
    chunkKeys,
    sliceParts(parts, ranges),
    raw === undefined ? WRITE_WINDOW : RAW_WINDOW,
    () => {
      published = publish().then(
        () => undefined,
        (error: unknown) => error ?? new Error("publish failed"),
      );
    },
  );
  parts.length = 0;
  let publishError = published === undefined ? new Error("not published") : await published;
  if (staged.error !== undefined) {
    const publishSent = published !== undefined;
    if (publishSent && publishError === undefined) {
      // A chunk's reply was lost, but the publish found every chunk in place: the version is live.
    } else if (publishSent && outcomeUnknown(publishError)) {
      throw withContext(
        staged.error,
        `cacheDataFrame(${JSON.stringify(key)}): the connection failed while publishing, so the new version may or ` +
          `may not be live (either way every read sees one whole version; unpublished chunks expire within ${stagingMs / 1000} s)`,
      );
    } else {
      const cleaned = outcomeUnknown(staged.error) ? false : await deleteStaged(conn, chunkKeys, staged.sent);
      throw withContext(
        staged.error,
        `cacheDataFrame(${JSON.stringify(key)}): chunk ${staged.failedAt + 1} of ${chunks} failed, nothing was published ` +
          `(the previous version, if any, is still readable; staged chunks ${cleaned ? "deleted" : `expire within ${stagingMs / 1000} s`})`,
      );
    }
  }
  // Every chunk is acknowledged now. A publish that overtook a chunk (a cluster redirect can reorder) found it
  // missing: publish once more.
  if (
    publishError !== undefined &&
    RedisCommandError.isInstance(publishError) &&
    publishError.redisCode === "NOCHUNK"
  ) {
    publishError = await publish().then(
      () => undefined,
      (error: unknown) => error ?? new Error("publish failed"),
    );
  }
  if (publishError !== undefined) {
    if (outcomeUnknown(publishError)) {
      throw withContext(
        publishError,
        `cacheDataFrame(${JSON.stringify(key)}): the connection failed while publishing, so the new version may or ` +
          `may not be live (either way every read sees one whole version; unpublished chunks expire within ${stagingMs / 1000} s)`,
      );
    }
    await deleteStaged(conn, chunkKeys, chunks);
    throw withContext(
      publishError,
      `cacheDataFrame(${JSON.stringify(key)}): publishing was refused, nothing changed (staged chunks deleted)`,
    );
  }
  return info;
}

/** Turns an error reply of the raw channel into the RedisCommandError the connection's client would throw. */
function throwErrorReply(command: string): (reply: RespValue) => RespValue {
  return (reply) => {
    if (reply instanceof RespErrorReply) throw new RedisCommandError({ message: reply.message, command });
    return reply;
  };
}

/**
 * The cached frame under `key`, or null when there is none (never written, deleted or expired). A read returns
 * one whole version even while writers replace it. `columns` and `nRows` are applied while decoding.
 */
export async function getCachedDataFrame(
  conn: RedisConnection,
  key: string,
  options: CacheReadOptions = {},
): Promise<pl.DataFrame | null> {
  const nRows = checkReadCall("getCachedDataFrame", conn, key, options);
  const found = await readFrame(
    conn,
    key,
    { columns: options.columns, nRows, tempDir: options.tempDir },
    (head) => {
      if (options.columns !== undefined) checkColumnsExist(options.columns, head, key);
    },
  );
  return found === null ? null : found.frame;
}

/** The checks of a read (getCachedDataFrame, getCachedTable): connection, key and options; the nRows option. */
export function checkReadCall(
  caller: string,
  conn: unknown,
  key: unknown,
  options: CacheReadOptions | undefined,
): number | undefined {
  checkConnection(conn, { function: caller });
  checkKey(key);
  checkOptions(options, READ_OPTION_NAMES, { function: caller });
  checkColumnsOption(options?.columns);
  checkTempDir(options?.tempDir);
  return checkNonNegativeInteger(options?.nRows, "nRows");
}

/** A head as stored, with its payload and the milliseconds it has left (-1: no TTL). */
export interface CachedPayload {
  readonly head: HeadFields;
  readonly bytes: Buffer;
  readonly pttl: number;
}

/**
 * Reads the head (with its PTTL, one round trip), then its chunks (a few in flight, copied into one buffer as
 * they arrive). When a chunk is gone because a writer replaced the version meanwhile, starts over with the new
 * head.
 */
export async function readPayload(
  conn: RedisConnection,
  key: string,
  onHead?: (head: HeadFields) => void,
): Promise<CachedPayload | null> {
  const found = await readEntry(conn, key, (keys, head) => readChunks(conn, keys, head), onHead);
  return found === null ? null : { head: found.head, bytes: found.value, pttl: found.pttl };
}

/**
 * The cached frame (decoded with `options`), its head and PTTL, or null. A segmented payload read over the raw
 * channel is decoded segment by segment as its chunks arrive, into two reused buffers of a segment each: the
 * payload is never whole in memory (fresh memory costs a page fault per 4 KiB on first touch), and `nRows`
 * stops the fetching at the segment that completes it. Other payloads are read whole, then decoded.
 */
export async function readFrame(
  conn: RedisConnection,
  key: string,
  { tempDir: tempDirOption, ...options }: DecodeOptions & { tempDir?: string | false | undefined },
  onHead?: (head: HeadFields) => void,
): Promise<{ frame: pl.DataFrame; head: HeadFields; pttl: number } | null> {
  const found = await readEntry(
    conn,
    key,
    async (keys, head) => {
      // A directory is looked at only for a payload that would be decoded off the JS thread; undefined: in-thread.
      const tempDir = decodesOffThread(head, options) ? await resolveTempDir(tempDirOption) : undefined;
      const raw =
        head.chunks > 0 && (head.segments?.length ?? 0) > 1 && !readWhole(head)
          ? await RawChunks.for(conn, "read").catch(() => undefined)
          : undefined;
      if (raw !== undefined) return readSegmentsRaw(raw, keys, head, options, tempDir);
      const bytes = await readChunks(conn, keys, head, { scratch: true });
      if (bytes === undefined) return undefined;
      try {
        return tempDir !== undefined
          ? await decodeFrameOffThread(bytes, options, head.segments!, tempDir)
          : decodeFrame(bytes, options, head.segments);
      } finally {
        if (head.chunks > 0) giveBackScratch(bytes);
      }
    },
    onHead,
  );
  return found === null ? null : { frame: found.value, head: found.head, pttl: found.pttl };
}

/**
 * Whether a segmented payload is fetched whole (every chunk GET sent at once) and then decoded, rather than a
 * segment at a time while the previous one decodes: a compressed payload (lz4, zstd, ...; not uncompressed
 * Parquet, ~0.8x the frame) of at most `wholeRead.maxBytes`. Its bytes are a fraction of the frame, so holding
 * them whole costs little, and decoding Parquet takes both cores of a 2-core machine, so the next segment hardly
 * moves meanwhile: a segment at a time cost a 10 MB Parquet lz4 read 13.9 ms, fetching it whole then decoding
 * 11.7 ms (6.0 + 5.7; medians of 25). Uncompressed Parquet read whole peaked at 2.65x the frame.
 */
function readWhole(head: HeadFields): boolean {
  return head.compression !== "uncompressed" && head.bytes <= wholeRead.maxBytes;
}
/** See readWhole. Mutable for tests only (not exported from the package): they read small entries both ways. */
export const wholeRead = { maxBytes: 16 * 1024 * 1024 };

/**
 * Reads the head (with its PTTL, one round trip), then what `read` makes of its payload. When a chunk is gone
 * (`read` gives undefined) because a writer replaced the version meanwhile, starts over with the new head.
 */
async function readEntry<T>(
  conn: RedisConnection,
  key: string,
  read: (keys: EntryKeys, head: HeadFields) => Promise<T | undefined>,
  onHead?: (head: HeadFields) => void,
): Promise<{ value: T; head: HeadFields; pttl: number } | null> {
  const keys = entryKeys(key);
  let previousGeneration: string | undefined;
  for (let attempt = 1; ; attempt++) {
    const found = await readHead(conn, keys);
    if (found === undefined) return null;
    const { head, pttl } = found;
    onHead?.(head);
    const value = await read(keys, head);
    if (value !== undefined) return { value, head, pttl };
    // A chunk was missing. The same generation twice means it expired (TTL): the entry is gone.
    if (head.gen === previousGeneration || attempt >= READ_ATTEMPTS) return null;
    previousGeneration = head.gen;
  }
}

/**
 * A segmented payload over the raw channel: the chunk GETs of the next segment are in flight while one is
 * decoded, each segment fetched into one of two buffers that take turns. Undefined when a chunk is missing.
 * With a `tempDir`, the segments are decoded off the JS thread (see decodesOffThread).
 */
async function readSegmentsRaw(
  raw: RawChunks,
  keys: EntryKeys,
  head: HeadFields,
  options: DecodeOptions,
  tempDir: string | undefined,
): Promise<pl.DataFrame | undefined> {
  const segments = segmentRanges(head.segments!);
  const ranges = chunkRanges(head.bytes, head.chunkBytes, head.segments);
  const largest = Math.max(...head.segments!);
  const buffers = Array.from({ length: Math.min(SEGMENTS_AHEAD + 1, segments.length) }, () =>
    takeScratch(largest),
  );
  try {
    return await decodeSegmentsRaw(raw, keys, head, options, segments, ranges, buffers, tempDir);
  } finally {
    for (const buffer of buffers) giveBackScratch(buffer);
  }
}

async function decodeSegmentsRaw(
  raw: RawChunks,
  keys: EntryKeys,
  head: HeadFields,
  options: DecodeOptions,
  segments: readonly [number, number][],
  ranges: readonly [number, number][],
  buffers: readonly Buffer[],
  tempDir: string | undefined,
): Promise<pl.DataFrame | undefined> {
  const offThread = tempDir !== undefined;
  /** Off the JS thread: the frames being decoded, in segment order. */
  const decoding: Promise<pl.DataFrame>[] = [];
  let nextChunk = 0;
  let nextSegment = 0;
  const fetchNext = (): Promise<Buffer | undefined> => {
    const index = nextSegment++;
    const [start, end] = segments[index]!;
    const target = buffers[index % buffers.length]!.subarray(0, end - start);
    const first = nextChunk;
    while (nextChunk < ranges.length && ranges[nextChunk]![1] <= end) nextChunk++;
    const fetching = fetchChunks(raw, keys, head, first, nextChunk, (chunk) =>
      target.subarray(ranges[chunk]![0] - start, ranges[chunk]![1] - start),
    ).then((complete) => (complete ? target : undefined));
    // It may fail while an earlier segment is decoded: awaited (or drained) later, never unhandled.
    fetching.catch(() => undefined);
    return fetching;
  };
  const inFlight: Promise<Buffer | undefined>[] = [];
  const drain = () => Promise.all(inFlight.map((fetching) => fetching.catch(() => undefined)));
  while (inFlight.length < buffers.length - 1 && nextSegment < segments.length) inFlight.push(fetchNext());
  const frames: pl.DataFrame[] = [];
  let rowsLeft = options.nRows;
  try {
    while (inFlight.length > 0) {
      const bytes = await inFlight.shift()!;
      if (bytes === undefined) return undefined;
      // The segment after the ones in flight goes out before this one is decoded, into the buffer decoded last.
      if (nextSegment < segments.length && rowsLeft !== 0) inFlight.push(fetchNext());
      if (offThread) {
        const previous = decoding[decoding.length - SEGMENTS_DECODED_AT_ONCE];
        if (previous !== undefined) await previous;
        const columns = { columns: options.columns };
        const job = decodeIpcOffThread(bytes, columns, tempDir, () => decodeFrame(bytes, columns));
        decoding.push(job.frame);
        await job.copied; // its buffer is fetched into again next
        continue;
      }
      const frame = decodeFrame(bytes, { columns: options.columns, nRows: rowsLeft });
      frames.push(frame);
      if (rowsLeft !== undefined) {
        rowsLeft -= frame.height;
        if (rowsLeft === 0) break;
      }
    }
  } finally {
    // Nothing may still be writing into the buffers once they are handed back.
    await drain();
  }
  return stackFrames(offThread ? await Promise.all(decoding) : frames);
}

/**
 * The payload of `head`: its inline data, or its chunks in one buffer. With `scratch`, the buffer may be a
 * reused one: the caller hands it back (giveBackScratch) once decoded, and keeps nothing that refers to it.
 */
async function readChunks(
  conn: RedisConnection,
  keys: EntryKeys,
  head: HeadFields,
  { scratch = false }: { scratch?: boolean } = {},
): Promise<Buffer | undefined> {
  if (head.chunks === 0) {
    if (head.data?.length !== head.bytes) {
      throw new Error(
        `getCachedDataFrame(${JSON.stringify(keys.head)}): the head's inline payload has ${head.data?.length ?? "no"} ` +
          `bytes, expected ${head.bytes}: the entry is damaged`,
      );
    }
    return head.data;
  }
  const raw = await RawChunks.for(conn, "read").catch(() => undefined);
  if (raw !== undefined) return readChunksRaw(raw, keys, head, scratch);
  const ranges = chunkRanges(head.bytes, head.chunkBytes, head.segments);
  const fetch = async (index: number): Promise<Buffer | undefined> => {
    let reply: RedisReply;
    try {
      reply = await conn.callBuffer("GET", keys.chunk(head.gen, index));
    } catch (error) {
      throw withContext(
        error,
        `getCachedDataFrame(${JSON.stringify(keys.head)}): reading chunk ${index + 1} of ${head.chunks}`,
      );
    }
    if (reply === null) return undefined;
    const [start, end] = ranges[index]!;
    const expected = end - start;
    if (!Buffer.isBuffer(reply) || reply.length !== expected) {
      throw damaged(
        keys,
        head,
        index,
        `${Buffer.isBuffer(reply) ? reply.length : "no"} bytes, expected ${expected}`,
      );
    }
    return reply;
  };
  if (head.chunks === 1) return fetch(0);
  const out = Buffer.allocUnsafe(head.bytes);
  let missing = false;
  await forEachInWindow(head.chunks, READ_WINDOW, async (index) => {
    if (missing) return false;
    const chunk = await fetch(index);
    if (chunk === undefined) {
      missing = true;
      return false;
    }
    chunk.copy(out, ranges[index]![0]);
    return true;
  });
  return missing ? undefined : out;
}

/**
 * The chunks over the raw channel: every GET's reply is copied from the socket straight into its place in one
 * buffer (no Buffer per chunk, no copy afterwards), a few GETs in flight.
 */
async function readChunksRaw(
  raw: RawChunks,
  keys: EntryKeys,
  head: HeadFields,
  scratch: boolean,
): Promise<Buffer | undefined> {
  const out = scratch ? takeScratch(head.bytes) : Buffer.allocUnsafe(head.bytes);
  const ranges = chunkRanges(head.bytes, head.chunkBytes, head.segments);
  const complete = await fetchChunks(raw, keys, head, 0, ranges.length, (index) =>
    out.subarray(ranges[index]![0], ranges[index]![1]),
  );
  return complete ? out : undefined;
}

/**
 * GETs chunks [from, to) over the raw channel into `target(index)`, a few in flight; false if one is missing.
 * Settles only once every GET it sent has settled (a failure stops further GETs, then is thrown), so its targets
 * are not written to afterwards.
 */
async function fetchChunks(
  raw: RawChunks,
  keys: EntryKeys,
  head: HeadFields,
  from: number,
  to: number,
  target: (index: number) => Buffer,
): Promise<boolean> {
  let missing = false;
  let failure: Error | undefined;
  await forEachInWindow(to - from, RAW_WINDOW, async (offset) => {
    if (missing || failure !== undefined) return false;
    const index = from + offset;
    const context = `getCachedDataFrame(${JSON.stringify(keys.head)}): reading chunk ${index + 1} of ${head.chunks}`;
    let result: Awaited<ReturnType<RawChunks["get"]>>;
    try {
      result = await raw.get(keys.chunk(head.gen, index), target(index));
    } catch (error) {
      failure ??= withContext(error, context);
      return false;
    }
    if (result === "ok") return true;
    if (result === "missing") missing = true;
    else if (RedisCommandError.isInstance(result)) failure ??= withContext(result, context);
    else failure ??= damaged(keys, head, index, result.message);
    return false;
  });
  if (failure !== undefined) throw failure;
  return !missing;
}

function damaged(keys: EntryKeys, head: HeadFields, index: number, what: string): Error {
  return new Error(
    `getCachedDataFrame(${JSON.stringify(keys.head)}): chunk ${index + 1} of ${head.chunks} has ${what}: ` +
      "the entry is damaged",
  );
}

/** The head's fields, parsed. */
export interface HeadFields {
  readonly format: CacheFormat;
  readonly compression: CacheCompression;
  readonly bytes: number;
  readonly chunks: number;
  readonly chunkBytes: number;
  readonly rows: number;
  readonly schema: Record<string, string>;
  readonly created: number;
  readonly gen: string;
  /** The byte lengths of the payload's segments, when it has several (see encodeFrame). */
  readonly segments?: number[] | undefined;
  /** The payload itself, when it is stored in the head (`chunks` 0). */
  readonly data?: Buffer | undefined;
}

/** HGETALL + PTTL of the head: undefined when there is no entry; WRONGTYPE when the key holds other data. */
export async function readHead(
  conn: RedisConnection,
  keys: EntryKeys,
): Promise<{ head: HeadFields; pttl: number } | undefined> {
  const raw = RawChunks.ready(conn, "read");
  if (raw === undefined) {
    // Not open yet (a connection's first read): the head is read over the connection itself while the raw
    // channel opens, so its connect is not waited for before the head; the chunk reads wait for it.
    RawChunks.for(conn, "read").catch(() => undefined);
  } else {
    // HMGET of every field (one command: the head is read whole, an inline payload included) and PTTL, sent
    // together. Binary values come back as Buffers.
    const fields = raw.fields(["HMGET", keys.head, ...HEAD_FIELDS]);
    const left = raw.command(["PTTL", keys.head]);
    let values: (Buffer | null)[];
    let pttl: RespValue;
    try {
      [values, pttl] = await Promise.all([fields, left]);
    } catch (error) {
      throw withContext(error, `cache entry ${JSON.stringify(keys.head)}`);
    }
    if (pttl === -2) return undefined;
    // No field but a key (a hash that is not an entry, or one published between HMGET and PTTL): HGETALL below.
    if (!allNull(values)) {
      const head = parseHead(keys.head, fieldPairs(HEAD_FIELDS, values));
      return head === undefined ? undefined : { head, pttl: typeof pttl === "number" ? pttl : -1 };
    }
  }
  // Buffers: an inline payload is binary (the other fields are read as UTF-8 text).
  const replies = await conn.batch(
    [
      ["HGETALL", keys.head],
      ["PTTL", keys.head],
    ],
    { buffers: true },
  );
  const headReply = replyAt(replies, 0);
  const pttl = replyAt(replies, 1);
  if (isCommandError(headReply)) throw withContext(headReply, `cache entry ${JSON.stringify(keys.head)}`);
  const head = parseHead(keys.head, headReply as RedisReply);
  if (head === undefined) return undefined;
  return { head, pttl: isCommandError(pttl) ? -1 : Number(pttl) };
}

/** The head's fields but its inline payload: what cacheInfo, listCached and `cached()`'s checks read. */
const INFO_FIELDS = [
  "layout",
  "format",
  "compression",
  "bytes",
  "chunks",
  "chunkBytes",
  "rows",
  "schema",
  "created",
  "gen",
] as const;

/**
 * HMGET of the head's fields but `data` (an inline payload is not fetched) + PTTL: undefined when there is no
 * entry; WRONGTYPE when the key holds other data, InvalidArgumentError for a hash that is not an entry.
 */
export async function readHeadInfo(
  conn: RedisConnection,
  keys: EntryKeys,
): Promise<{ head: HeadFields; pttl: number } | undefined> {
  for (let attempt = 1; ; attempt++) {
    const replies = await conn.batch([
      ["HMGET", keys.head, ...INFO_FIELDS],
      ["PTTL", keys.head],
    ]);
    const reply = replyAt(replies, 0);
    const pttl = replyAt(replies, 1);
    if (isCommandError(reply)) throw withContext(reply, `cache entry ${JSON.stringify(keys.head)}`);
    const left = isCommandError(pttl) ? -1 : Number(pttl);
    if (left === -2) return undefined; // no such key
    // No field but a key: a hash that is not an entry, or an entry published between HMGET and PTTL.
    if (allNull(reply as RedisReply) && attempt < 3) continue;
    const head = parseHead(keys.head, fieldPairs(INFO_FIELDS, reply as RedisReply));
    return head === undefined ? undefined : { head, pttl: left };
  }
}

function allNull(reply: RedisReply): boolean {
  return Array.isArray(reply) && reply.every((value) => value == null);
}

/** Every field of a head, for a read of the whole head with one HMGET. */
const HEAD_FIELDS = [...INFO_FIELDS, "segments", "data"] as const;

/**
 * An HMGET reply as the field/value pairs HGETALL gives: absent fields left out, but `layout` (as "", so a
 * hash without it reads as "not a cache entry").
 */
function fieldPairs(names: readonly string[], reply: RedisReply): RedisReply[] {
  const values = Array.isArray(reply) ? reply : [];
  return names.flatMap((field, index) => {
    const value = values[index];
    if (value != null) return [field, value];
    return field === "layout" ? [field, ""] : [];
  });
}

export function parseHead(key: string, reply: RedisReply): HeadFields | undefined {
  if (!Array.isArray(reply) || reply.length === 0) return undefined;
  const fields = new Map<string, string>();
  let data: Buffer | undefined;
  for (let index = 0; index + 1 < reply.length; index += 2) {
    const name = String(reply[index]);
    const value = reply[index + 1];
    if (name === "data") data = Buffer.isBuffer(value) ? value : Buffer.from(String(value), "utf8");
    else fields.set(name, String(value));
  }
  if (fields.get("layout") !== LAYOUT) {
    throw new InvalidArgumentError(
      "key",
      `${JSON.stringify(key)} is a hash that is not a polars-redis cache entry (layout ${JSON.stringify(fields.get("layout") ?? null)})`,
    );
  }
  const chunks = Number(fields.get("chunks"));
  return {
    format: fields.get("format") as CacheFormat,
    compression: fields.get("compression") as CacheCompression,
    bytes: Number(fields.get("bytes")),
    chunks,
    chunkBytes: Number(fields.get("chunkBytes")),
    rows: Number(fields.get("rows")),
    schema: JSON.parse(fields.get("schema") ?? "{}") as Record<string, string>,
    created: Number(fields.get("created")),
    gen: fields.get("gen") ?? "",
    segments: fields.has("segments") ? fields.get("segments")!.split(",").map(Number) : undefined,
    data,
  };
}

/** Whether an entry is cached under `key`. */
export async function cacheExists(conn: RedisConnection, key: string): Promise<boolean> {
  checkConnection(conn, { function: "cacheExists" });
  checkKey(key);
  return (await cacheInfo(conn, key)) !== null;
}

/** What the entry under `key` holds (format, compression, bytes, chunks, rows, schema, created, ttl), or null. */
export async function cacheInfo(conn: RedisConnection, key: string): Promise<CacheInfo | null> {
  checkConnection(conn, { function: "cacheInfo" });
  checkKey(key);
  const found = await readHeadInfo(conn, entryKeys(key));
  return found === undefined ? null : toInfo(key, found.head, found.pttl);
}

export function toInfo(key: string, head: HeadFields, pttl: number): CacheInfo {
  return {
    key,
    format: head.format,
    compression: head.compression,
    bytes: head.bytes,
    chunks: head.chunks,
    chunkBytes: head.chunkBytes,
    rows: head.rows,
    schema: head.schema,
    created: new Date(head.created),
    ttl: pttl >= 0 ? pttl / 1000 : null,
    generation: head.gen,
  };
}

/** Seconds the entry under `key` has left, or null when it has no TTL or does not exist. */
export async function cacheTtl(conn: RedisConnection, key: string): Promise<number | null> {
  checkConnection(conn, { function: "cacheTtl" });
  checkKey(key);
  return (await cacheInfo(conn, key))?.ttl ?? null;
}

/** Deletes the entry under `key` (head and chunks, atomically). True if there was one. */
export async function deleteCached(conn: RedisConnection, key: string): Promise<boolean> {
  checkConnection(conn, { function: "deleteCached" });
  checkKey(key);
  try {
    return (await DELETE.run(conn, [key], [LAYOUT])) === 1;
  } catch (error) {
    throw withContext(error, `deleteCached(${JSON.stringify(key)})`);
  }
}

export interface ListCachedOptions {
  /** Entries whose key starts with this text (glob characters in it are matched literally). */
  prefix?: string | undefined;
  /** Or a SCAN MATCH pattern. ["*"] */
  pattern?: string | undefined;
  /** SCAN's COUNT hint. [1000] */
  count?: number | undefined;
  signal?: AbortSignal | undefined;
}

const LIST_OPTION_NAMES = optionNames<ListCachedOptions>()(["prefix", "pattern", "count", "signal"]);

/**
 * The entries under a prefix (or pattern), one SCAN page at a time: SCAN ... TYPE hash on every master, then
 * one pipelined HGETALL + PTTL per hash found; hashes that are not cache entries are skipped.
 */
export async function* listCached(
  conn: RedisConnection,
  options: ListCachedOptions = {},
): AsyncGenerator<CacheInfo> {
  checkConnection(conn, { function: "listCached" });
  checkOptions(options, LIST_OPTION_NAMES, { function: "listCached" });
  if (options.prefix !== undefined && options.pattern !== undefined) {
    throw new InvalidArgumentError("prefix", "give prefix or pattern, not both");
  }
  if (options.prefix !== undefined && typeof options.prefix !== "string") {
    throw new InvalidArgumentError("prefix", `expected a string, got ${describe(options.prefix)}`);
  }
  if (options.pattern !== undefined && (typeof options.pattern !== "string" || options.pattern === "")) {
    throw new InvalidArgumentError(
      "pattern",
      `expected a non-empty string, got ${describe(options.pattern)}`,
    );
  }
  const pattern = options.pattern ?? `${escapeGlob(options.prefix ?? "")}*`;
  for await (const page of conn.scanKeys({
    pattern,
    type: "hash",
    ...(options.count === undefined ? {} : { count: options.count }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  })) {
    const replies = await conn.batch(
      page.flatMap((key) => [["HMGET", key, ...INFO_FIELDS] as const, ["PTTL", key] as const]),
    );
    for (let index = 0; index < page.length; index++) {
      const headReply = replyAt(replies, index * 2);
      if (isCommandError(headReply)) continue; // replaced by another type since the scan saw it
      const pttl = replyAt(replies, index * 2 + 1);
      const left = isCommandError(pttl) ? -1 : Number(pttl);
      if (left === -2) continue; // deleted since the scan saw it
      let head: HeadFields | undefined;
      try {
        head = parseHead(page[index]!, fieldPairs(INFO_FIELDS, headReply as RedisReply));
      } catch {
        continue; // a hash that is not a cache entry
      }
      if (head === undefined) continue;
      yield toInfo(page[index]!, head, left);
    }
  }
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, "\\$&");
}

function checkFrame(frame: unknown): asserts frame is pl.DataFrame {
  const candidate = frame as { writeIPC?: unknown; writeParquet?: unknown; height?: unknown } | null;
  if (
    candidate == null ||
    typeof candidate !== "object" ||
    typeof candidate.writeIPC !== "function" ||
    typeof candidate.writeParquet !== "function" ||
    typeof candidate.height !== "number"
  ) {
    throw new InvalidArgumentError(
      "frame",
      `expected a nodejs-polars DataFrame (collect a LazyFrame first; use cacheTable for an Arrow Table), got ${describe(frame)}`,
    );
  }
}

function checkColumnsOption(columns: unknown): void {
  if (columns === undefined) return;
  if (!Array.isArray(columns) || columns.some((column) => typeof column !== "string")) {
    throw new InvalidArgumentError("columns", "expected an array of column names");
  }
}

function checkColumnsExist(columns: readonly string[], head: HeadFields, key: string): void {
  const unknown = columns.filter((column) => !(column in head.schema));
  if (unknown.length > 0) {
    throw new InvalidArgumentError(
      "columns",
      `${unknown.map((column) => JSON.stringify(column)).join(", ")} not in the cached frame ${JSON.stringify(key)}; ` +
        `its columns: ${Object.keys(head.schema)
          .map((column) => JSON.stringify(column))
          .join(", ")}`,
    );
  }
}

/** A new generation id: time-ordered (base 36 milliseconds) and random, so two writers never collide. */
function newGeneration(): string {
  return `${Date.now().toString(36)}${randomBytes(5).toString("hex")}`;
}

interface StageResult {
  /** Chunks whose SET was sent (their indexes are 0 .. sent - 1). */
  readonly sent: number;
  readonly error?: unknown;
  readonly failedAt: number;
}

/** Sends one chunk's SET with the staging TTL: the chunk's bytes are `pieces` (views), `bytes` long in all. */
type SendChunk = (chunkKey: string, pieces: readonly Buffer[], bytes: number) => Promise<unknown>;

/** SET each chunk with the staging TTL, a few in flight; stops sending at the first failure. */
async function stageChunks(
  sendChunk: SendChunk,
  chunkKeys: readonly string[],
  slices: Iterator<readonly Buffer[]>,
  window: number,
  onLastSent: () => void,
): Promise<StageResult> {
  let sent = 0;
  let error: unknown;
  let failedAt = -1;
  await forEachInWindow(chunkKeys.length, window, async (index) => {
    if (error !== undefined) return false;
    const pieces = slices.next().value as readonly Buffer[];
    sent = Math.max(sent, index + 1);
    try {
      const reply = sendChunk(chunkKeys[index]!, pieces, byteLength(pieces));
      if (index === chunkKeys.length - 1) onLastSent();
      await reply;
      return true;
    } catch (caught) {
      if (error === undefined) {
        error = caught;
        failedAt = index;
      }
      return false;
    }
  });
  return error === undefined ? { sent, failedAt } : { sent, error, failedAt };
}

/** Best-effort DEL of staged chunks; false if that failed too (they then expire with their staging TTL). */
async function deleteStaged(
  conn: RedisConnection,
  chunkKeys: readonly string[],
  sent: number,
): Promise<boolean> {
  if (sent === 0) return true;
  try {
    const replies = await conn.batch(chunkKeys.slice(0, sent).map((chunkKey) => ["DEL", chunkKey] as const));
    return !replies.some(isCommandError);
  } catch {
    return false;
  }
}
