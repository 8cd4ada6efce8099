import type { RedisArgument, RedisConnection, ScalarDtype } from "@polars-redis/core";
import {
  type ArrowColumn,
  arrowColumnsToFrame,
  byteColumnToArrow,
  fieldColumnsToArrow,
  type RawChannel,
  RequestPipe,
  RespEncoder,
  RespReader,
  raceAbort,
  takesRawPath,
  throwIfAborted,
} from "@polars-redis/core/internal";
import type { DataFrame } from "nodejs-polars";
import { ftReplyError } from "../internal/ft-call.js";
import { SearchReplyDecoder, type SearchReplyInfo } from "../internal/search-reply-decoder.js";
import type { ResolvedSearch } from "./search-hashes.js";

/** How the pages of a search are read. */
export type SearchPaging =
  /** FT.AGGREGATE `first` (ending in WITHCURSOR COUNT `count`), then FT.CURSOR READ to the cursor's end. */
  | { readonly kind: "cursor"; readonly first: readonly RedisArgument[]; readonly count: number }
  /** FT.SEARCH pages by LIMIT offset; `args` gives a page's arguments. */
  | {
      readonly kind: "limit";
      readonly withContent: boolean;
      readonly args: (offset: number, count: number) => RedisArgument[];
    };

/** A search whose fields are all known and scalar (schema or `columns`): what the byte columns can hold. */
type TypedSearch = Omit<ResolvedSearch, "fields"> & {
  readonly fields: { readonly name: string; readonly dtype: ScalarDtype }[];
};

/**
 * Whether a search reads over core's raw RESP path: the connection must take it for any command (core's
 * takesRawPath: a single server with raw channels; a cluster keeps its cluster client, which follows MOVED),
 * and the fields must be known and scalar (without a schema or `columns`, the fields are discovered per
 * document: the JS-value path does that).
 */
export function takesRawSearch(conn: RedisConnection, s: ResolvedSearch): s is TypedSearch {
  return (
    takesRawPath(conn, "any") &&
    s.fields?.every((field) => field.dtype.kind !== "list" && field.dtype.kind !== "struct") === true
  );
}

/**
 * A search's pages over a raw channel of its own, decoded straight into byte columns (SearchReplyDecoder) and
 * handed to Polars as typed Arrow columns, one frame per page: the path of core's readHashes, for FT.SEARCH
 * and FT.AGGREGATE cursor pages. Cursor reads go `readsAhead` at a time: with 2, the server reads the next page
 * while this one travels and becomes a frame (a frame may then hold two pages). Same rows, columns and dtypes as the
 * JS-value path. Every request has the channel's deadline (the connection's command timeout): a silent server
 * fails the search with a RedisTimeoutError, a lost one with a RedisConnectionError; error replies are thrown
 * as `ftCall` throws them. The channel is closed when the iteration ends, however it ends; a cursor left
 * unfinished is deleted first (without waiting for the answer).
 */
export async function* rawSearchFrames(
  conn: RedisConnection,
  s: TypedSearch,
  paging: SearchPaging,
  readsAhead: 1 | 2,
): AsyncGenerator<DataFrame> {
  if (s.limit <= 0) return;
  const names = s.fields.map((field) => field.name);
  const shape =
    paging.kind === "cursor"
      ? ({ kind: "cursor" } as const)
      : ({
          kind: "search",
          withScores: s.scoreColumn !== undefined,
          withContent: paging.withContent,
        } as const);
  // Room for one page to start with: the columns grow as rows arrive (a large first allocation costs more than
  // the doublings for a result of a few pages).
  const decoder = new SearchReplyDecoder(names, shape, s.batchSize + 1);
  const channel = await openChannel(conn, s.signal);
  const pipe = new RequestPipe(channel, new RespReader(decoder));
  const encoder = new RespEncoder(4096);
  let remaining = s.limit;
  /** Rows are still wanted from the cursor: set false by the reply that ends it or reaches the limit. */
  let wanted = true;
  /** The cursor, while it is open on the server (0 once a reply says it ended). */
  let cursor = 0;
  /**
   * Runs as each reply is decoded, before the next is read (decoder.onReply): the last page may bring more than the limit (keep
   * what it allows); a cursor read sent ahead that arrives after the end brings rows nobody wants (dropped) or
   * "Cursor not found" (ignored).
   */
  const account = (info: SearchReplyInfo): PageInfo => {
    if (!wanted) {
      decoder.truncate(decoder.rows - info.documents);
      return { ...info, late: true };
    }
    if (info.error !== undefined) return { ...info, late: false };
    if (info.documents > remaining) decoder.truncate(decoder.rows - (info.documents - remaining));
    remaining -= Math.min(info.documents, remaining);
    if (paging.kind === "cursor") {
      cursor = info.cursor;
      if (cursor === 0 || remaining <= 0) wanted = false;
    }
    return { ...info, late: false };
  };
  const answered: PageInfo[] = [];
  decoder.onReply = (info) => answered.push(account(info));
  const send = (command: string, args: readonly RedisArgument[]): Promise<PageInfo> => {
    encoder.command(args.length + 1);
    encoder.text(command);
    for (const arg of args) {
      if (typeof arg === "string") encoder.text(arg);
      else if (typeof arg === "number") encoder.text(String(arg));
      else encoder.bytes(arg);
    }
    const request = pipe.send(encoder.take(), 1, command, () => answered.shift()!);
    request.catch(() => undefined); // awaited in order; a failed pipe rejects every waiting request alike
    return request;
  };
  const answer = async (request: Promise<PageInfo>, command: string): Promise<PageInfo> => {
    const info = await (s.signal === undefined ? request : raceAbort(request, s.signal));
    if (info.error !== undefined && !info.late) throw ftReplyError(info.error, command);
    throwIfAborted(s.signal);
    return info;
  };
  try {
    throwIfAborted(s.signal);
    if (paging.kind === "cursor") {
      // The cursor id stays the same for every read: while rows are wanted, reads are sent ahead of their
      // replies, so the server reads the next page while this one travels, is decoded and becomes a frame.
      const reads: Promise<PageInfo>[] = [];
      await answer(send("FT.AGGREGATE", paging.first), "FT.AGGREGATE");
      for (;;) {
        while (wanted && reads.length < readsAhead)
          reads.push(send("FT.CURSOR", ["READ", s.index, String(cursor), "COUNT", String(paging.count)]));
        if (decoder.rows > 0) yield takeFrame(decoder, s);
        const read = reads.shift();
        if (read === undefined) break;
        await answer(read, "FT.CURSOR");
      }
    } else {
      let offset = s.offset;
      while (remaining > 0) {
        const count = Math.min(s.batchSize, remaining);
        const info = await answer(send("FT.SEARCH", paging.args(offset, count)), "FT.SEARCH");
        offset += info.documents;
        if (decoder.rows > 0) yield takeFrame(decoder, s);
        if (info.documents < count || offset >= info.total) break;
      }
    }
    if (decoder.rows > 0) yield takeFrame(decoder, s);
  } finally {
    if (cursor !== 0 && !pipe.closed) {
      // Left before the cursor's end (a limit, an error, the caller stopped): free it on the server.
      wanted = false;
      send("FT.CURSOR", ["DEL", s.index, String(cursor)])
        .catch(() => undefined)
        .finally(() => pipe.close("the search ended"));
    } else pipe.close("the search ended");
  }
}

/** A page's reply, and whether it came after the cursor's end (a read sent ahead: ignored). */
type PageInfo = SearchReplyInfo & { readonly late: boolean };

async function openChannel(conn: RedisConnection, signal: AbortSignal | undefined): Promise<RawChannel> {
  const opening = conn.openRawChannel!();
  if (signal === undefined) return opening;
  return raceAbort(opening, signal).catch((error: unknown) => {
    opening.then(
      (channel) => channel.close(),
      () => undefined,
    );
    throw error;
  });
}

const UTF8: ScalarDtype = { kind: "utf8" };
const FLOAT64: ScalarDtype = { kind: "float64" };

/** The decoded rows as one typed frame (key, fields, score); the decoder's columns are emptied. */
function takeFrame(decoder: SearchReplyDecoder, s: TypedSearch): DataFrame {
  const columns: ArrowColumn[] = [];
  const ignore = () => {};
  if (s.keyColumn !== undefined)
    columns.push({ name: s.keyColumn, data: byteColumnToArrow(decoder.keyColumn, UTF8, ignore) });
  columns.push(...fieldColumnsToArrow(s.fields, decoder.fieldColumns, decoder.keyColumn, s.onError));
  if (s.scoreColumn !== undefined)
    columns.push({ name: s.scoreColumn, data: byteColumnToArrow(decoder.scoreColumn, FLOAT64, ignore) });
  const frame = arrowColumnsToFrame(columns, decoder.rows);
  decoder.resetColumns();
  return frame;
}
