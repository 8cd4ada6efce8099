import pl, { type DataFrame, type Expr } from "nodejs-polars";
import { type ArrowColumn, arrowColumnsToFrame } from "../../../arrow/arrow-frame.js";
import type { ByteColumn } from "../../../arrow/byte-column.js";
import { byteColumnToArrow } from "../../../arrow/byte-column-to-arrow.js";
import { AbortedError } from "../../../errors/aborted-error.js";
import { RedisCommandError } from "../../../errors/redis-command-error.js";
import { SchemaMismatchError } from "../../../errors/schema-mismatch-error.js";
import type { RawChannel } from "../../../resp/raw-channel.js";
import { RespReader } from "../../../resp/reply-reader.js";
import { RequestPipe } from "../../../resp/request-pipe.js";
import { dtypeLabel, type ScalarDtype } from "../../../schema/dtype.js";
import { HashCommandEncoder } from "./hash-command-encoder.js";
import { HashReplyDecoder } from "./hash-reply-decoder.js";
import { toKeyPage } from "./key-page.js";

export interface FastHashField {
  readonly name: string;
  readonly dtype: ScalarDtype;
}

export interface FastHashReadOptions {
  /** The schema's fields, in column order. */
  readonly fields: readonly FastHashField[];
  /** Read exactly these fields with HMGET (a projection) instead of every field with HGETALL. */
  readonly projected: boolean;
  /** Name of the key column (first column); no key column when undefined. */
  readonly keyColumn?: string | undefined;
  /**
   * A frame is handed to Polars once this many rows are decoded; it may hold up to `pagesInFlight` pages more.
   * Larger frames mean fewer native calls. [50000]
   */
  readonly frameRows?: number;
  /** Pages of commands written ahead of their replies. [4] */
  readonly pagesInFlight?: number;
  /** A value that does not convert: throw SchemaMismatchError, or make it null and count it. ["raise"] */
  readonly onError?: "raise" | "null";
  readonly signal?: AbortSignal;
  /**
   * Which of these keys still exist: asked for HMGET rows whose values are all nil, since HMGET cannot tell a
   * key that is gone from a hash without the projected fields. Without it those rows are kept (all nulls).
   */
  readonly keysExist?: (keys: string[]) => Promise<boolean[]>;
  /**
   * The deadline of every page: the read fails with a RedisTimeoutError when the server sends nothing for this
   * long while replies are owed. [the channel's `replyTimeoutMs` (the connection's command timeout), else 30 s]
   */
  readonly replyTimeoutMs?: number;
}

/** Counters of a fast read, filled in as it goes. */
export interface FastHashReport {
  rows: number;
  /** Keys gone (deleted or expired) between SCAN and the read: no row. */
  missingKeys: number;
  /** Keys that held another type when read: no row. */
  wrongTypeKeys: number;
  /** Bytes of stored data read: values, and field names with HGETALL (the engine's progress `bytes`). */
  bytes: number;
  /** Values made null by `onError: "null"`, per field. */
  readonly coercedToNull: Map<string, number>;
}

export function emptyFastHashReport(): FastHashReport {
  return { rows: 0, missingKeys: 0, wrongTypeKeys: 0, bytes: 0, coercedToNull: new Map() };
}

const DEFAULT_FRAME_ROWS = 50_000;
const DEFAULT_PAGES_IN_FLIGHT = 4;

/**
 * Reads the hashes named by `keyPages` (e.g. SCAN pages) over a raw RESP2 channel and yields DataFrames of
 * about `frameRows` rows: replies are decoded straight into column bytes, converted to typed Arrow columns
 * (with the scan engine's parsers for any non-canonical spelling) and handed to Polars as one IPC buffer per
 * frame. The channel belongs to the read from then on: it is closed when the iteration ends, however it ends.
 */
export async function* readHashFrames(
  channel: RawChannel,
  keyPages: AsyncIterable<readonly string[]>,
  options: FastHashReadOptions,
  report: FastHashReport = emptyFastHashReport(),
): AsyncGenerator<DataFrame> {
  const frameRows = options.frameRows ?? DEFAULT_FRAME_ROWS;
  const pagesInFlight = Math.max(1, options.pagesInFlight ?? DEFAULT_PAGES_IN_FLIGHT);
  const names = options.fields.map((field) => field.name);
  const decoder = new HashReplyDecoder(names, options.projected ? "hmget" : "hgetall", frameRows + 1024);
  const encoder = new HashCommandEncoder(options.projected ? names : undefined);
  const command = options.projected ? "HMGET" : "HGETALL";
  // Every page is one request with the connection's deadline: a silent server fails the read with a
  // RedisTimeoutError, a lost channel with a RedisConnectionError, whatever the read is waiting for.
  const pipe = new RequestPipe(channel, new RespReader(decoder), {
    replyTimeoutMs: options.replyTimeoutMs,
  });
  let aborted: (() => void) | undefined;
  const abortion = new Promise<never>((_, reject) => {
    aborted = () => reject(new AbortedError(options.signal?.reason));
  });
  abortion.catch(() => undefined);
  const onAbort = () => aborted?.();
  options.signal?.addEventListener("abort", onAbort);
  const inFlight: Promise<void>[] = [];
  const waitFor = async (request: Promise<void>) => {
    await Promise.race([request, abortion]);
    check();
  };

  const check = () => {
    if (options.signal?.aborted) throw new AbortedError(options.signal.reason);
    report.missingKeys += decoder.missingKeys;
    decoder.missingKeys = 0;
    for (const error of decoder.errors.splice(0)) {
      if (error.message.startsWith("WRONGTYPE")) report.wrongTypeKeys++;
      else throw new RedisCommandError({ message: error.message, command });
    }
  };

  try {
    for await (const keys of keyPages) {
      check();
      if (keys.length === 0) continue;
      const page = toKeyPage(keys);
      decoder.expectKeys(page);
      const request = pipe.send(encoder.encode(page), page.count, command);
      request.catch(() => undefined); // awaited below, in order; a failure rejects every waiting page alike
      inFlight.push(request);
      // Keep at most `pagesInFlight` pages unanswered: enough to keep the server busy, bounded in memory.
      while (inFlight.length >= pagesInFlight) await waitFor(inFlight.shift()!);
      while (decoder.rows >= frameRows) yield await takeFrame(decoder, options, report);
    }
    while (inFlight.length > 0) await waitFor(inFlight.shift()!);
    if (decoder.rows > 0) yield await takeFrame(decoder, options, report);
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
    pipe.close("the read ended");
  }
}

/** Turns the decoded rows into one typed frame and empties the decoder's columns. */
async function takeFrame(
  decoder: HashReplyDecoder,
  options: FastHashReadOptions,
  report: FastHashReport,
): Promise<DataFrame> {
  const rows = decoder.rows;
  const keep = await rowsStillThere(decoder, options, report);
  const columns: ArrowColumn[] = [];
  if (options.keyColumn !== undefined) {
    columns.push({
      name: options.keyColumn,
      data: byteColumnToArrow(decoder.keyColumn, { kind: "utf8" }, () => {}),
    });
  }
  columns.push(
    ...fieldColumnsToArrow(
      options.fields,
      decoder.fieldColumns,
      decoder.keyColumn,
      options.onError,
      (field) => report.coercedToNull.set(field, (report.coercedToNull.get(field) ?? 0) + 1),
    ),
  );
  let frame = arrowColumnsToFrame(columns, rows);
  for (const column of decoder.fieldColumns) report.bytes += column.byteLength;
  report.bytes += decoder.otherBytes;
  decoder.otherBytes = 0;
  decoder.resetColumns();
  if (keep !== undefined) frame = frame.filter(keepMask(keep));
  report.rows += frame.height;
  return frame;
}

/**
 * A raw reader's decoded field values as typed Arrow columns, one per field of the schema (`columns` in the
 * same order). A value that does not convert is a SchemaMismatchError naming the row's key (from `keyColumn`),
 * or, with `onError: "null"`, a null that `nulled` is told about.
 */
export function fieldColumnsToArrow(
  fields: readonly FastHashField[],
  columns: readonly ByteColumn[],
  keyColumn: ByteColumn,
  onError: "raise" | "null" | undefined,
  nulled: (field: string) => void = () => {},
): ArrowColumn[] {
  return fields.map((field, index) => {
    const column = columns[index]!;
    const data = byteColumnToArrow(column, field.dtype, (row) => {
      if (onError === "null") {
        nulled(field.name);
        return;
      }
      throw new SchemaMismatchError({
        key: textOf(keyColumn, row),
        field: field.name,
        rawValue: textOf(column, row),
        expected: dtypeLabel(field.dtype),
      });
    });
    return { name: field.name, data, categorical: field.dtype.kind === "categorical" };
  });
}

/** HMGET rows of all nils whose keys are gone: asked once per frame, dropped from the frame. */
async function rowsStillThere(
  decoder: HashReplyDecoder,
  options: FastHashReadOptions,
  report: FastHashReport,
): Promise<Uint8Array | undefined> {
  if (decoder.allNullRows.length === 0 || options.keysExist === undefined) return undefined;
  const rows = [...decoder.allNullRows];
  const exists = await options.keysExist(rows.map((row) => textOf(decoder.keyColumn, row)));
  const keep = new Uint8Array(decoder.rows).fill(1);
  rows.forEach((row, i) => {
    if (!exists[i]) {
      keep[row] = 0;
      report.missingKeys++;
    }
  });
  return keep;
}

/** A Boolean Series as the row mask (DataFrame.filter takes one; an array would be read as a List literal). */
function keepMask(keep: Uint8Array): Expr {
  return pl.Series(
    "keep",
    Array.from(keep, (flag) => flag === 1),
    pl.Bool,
  ) as unknown as Expr;
}

function textOf(column: ByteColumn, row: number): string {
  return Buffer.from(column.data.buffer, column.data.byteOffset, column.byteLength).toString(
    "utf8",
    column.offsets[row],
    column.offsets[row + 1],
  );
}
