import { ByteColumn } from "../../../arrow/byte-column.js";
import { anchorShape } from "../../../arrow/shape-anchors.js";
import type { ReplyDecoder } from "../../../resp/reply-reader.js";
import type { KeyPage } from "./key-page.js";

const CR = 0x0d;
const STAR = 0x2a; // '*'
const DOLLAR = 0x24; // '$'
const MINUS = 0x2d; // '-'
const UNDERSCORE = 0x5f; // '_' RESP3 null; a RESP2 socket never sends it, accepted anyway

/** A reply that was an error instead of a hash (WRONGTYPE when the key changed type after SCAN, ...). */
export interface ReplyError {
  readonly key: string;
  readonly message: string;
}

/**
 * Decodes pipelined HMGET (values by position) or HGETALL (field/value pairs, names matched as bytes) replies
 * from a RESP2 byte stream straight into one ByteColumn per field, plus the key column. No JS value is made
 * per field: bytes are copied from the socket chunk into the column buffers.
 *
 * Replies are matched to the keys of the pages registered with `expectKeys`, in order. It decodes for a
 * RespReader (which handles chunk boundaries): a reply cut by one is undone and read again when the rest has
 * arrived.
 */
export class HashReplyDecoder implements ReplyDecoder {
  readonly fieldColumns: ByteColumn[];
  readonly keyColumn: ByteColumn;
  /** Rows in the columns (since the last `resetColumns`). */
  rows = 0;
  /** HGETALL replies that were empty: the key was deleted or expired after SCAN. No row. */
  missingKeys = 0;
  /** Error replies, with their keys. No row. */
  readonly errors: ReplyError[] = [];
  /** Stored bytes read that are not in the field columns: HGETALL field names, and values of fields outside
   * the schema. With the columns' byte lengths, the size of the data read (for progress reports). */
  otherBytes = 0;
  /** HMGET rows whose values are all nil: a hash without those fields, or a key that is gone (ask EXISTS). */
  readonly allNullRows: number[] = [];

  private readonly hmget: boolean;
  private readonly fieldNames: Uint8Array[];
  /** HGETALL: the column of the field seen at each position last time; hashes usually list fields alike. */
  private readonly lastOrder: Int32Array;
  private readonly seen: Uint8Array;
  private readonly pages: KeyPage[] = [];
  private keyInPage = 0;
  /** `fields` in column order; `mode` "hmget" expects HMGET replies for exactly these fields, in order. */
  constructor(fields: readonly string[], mode: "hmget" | "hgetall", rowCapacity = 1024) {
    this.hmget = mode === "hmget";
    this.fieldColumns = fields.map(() => new ByteColumn(rowCapacity));
    this.keyColumn = new ByteColumn(rowCapacity);
    this.fieldNames = fields.map((field) => Buffer.from(field, "utf8"));
    this.lastOrder = new Int32Array(Math.max(64, fields.length * 2)).fill(-1);
    this.seen = new Uint8Array(fields.length);
  }

  /** Registers the keys of commands just written; replies are matched to them in order. */
  expectKeys(page: KeyPage): void {
    this.pages.push(page);
  }

  /** Replies still owed for the pages registered so far. */
  get pendingReplies(): number {
    let owed = 0;
    for (const page of this.pages) owed += page.count;
    return owed - this.keyInPage;
  }

  /** Empties the columns (their rows became a frame), keeping the buffers for the next rows. */
  resetColumns(): void {
    for (const column of this.fieldColumns) column.reset();
    this.keyColumn.reset();
    this.rows = 0;
    this.allNullRows.length = 0;
  }

  /** Decodes one reply (a RespReader calls this): see ReplyDecoder. */
  decode(buffer: Uint8Array, start: number): number {
    return this.hmget ? this.readHmget(buffer, start) : this.readHgetall(buffer, start);
  }

  /**
   * Reads one HMGET reply at `start`. Returns the position after it, or, when the reply is not complete yet,
   * `-(bytes needed from the buffer start, at least)` with any column writes undone.
   */
  private readHmget(buffer: Uint8Array, start: number): number {
    if (buffer[start] !== STAR) return this.readOtherReply(buffer, start);
    const lineEnd = findLineEnd(buffer, start + 1);
    if (lineEnd < 0) return -(buffer.length + 1);
    const count = parseLength(buffer, start + 1, lineEnd);
    let position = lineEnd + 2;
    const columns = this.fieldColumns;
    let nulls = 0;
    for (let i = 0; i < count; i++) {
      const next = readBulkInto(buffer, position, columns[i]!);
      if (next < 0) return this.undo(next);
      if (next - position === 5 || buffer[position] === UNDERSCORE) nulls += isNullAt(buffer, position);
      position = next;
    }
    if (nulls === count && count > 0) this.allNullRows.push(this.rows);
    this.finishRow(true);
    return position;
  }

  private readHgetall(buffer: Uint8Array, start: number): number {
    if (buffer[start] !== STAR) return this.readOtherReply(buffer, start);
    const lineEnd = findLineEnd(buffer, start + 1);
    if (lineEnd < 0) return -(buffer.length + 1);
    const pairs = parseLength(buffer, start + 1, lineEnd) >> 1;
    let position = lineEnd + 2;
    if (pairs === 0) {
      this.missingKeys++;
      this.finishRow(false);
      return position;
    }
    const columns = this.fieldColumns;
    const seen = this.seen;
    seen.fill(0);
    let otherBytes = 0;
    for (let pair = 0; pair < pairs; pair++) {
      if (position + 1 >= buffer.length) return this.undo(-(position + 2));
      if (buffer[position] !== DOLLAR) throw unexpected(buffer[position]);
      const nameLineEnd = findLineEnd(buffer, position + 1);
      if (nameLineEnd < 0) return this.undo(-(buffer.length + 1));
      const nameStart = nameLineEnd + 2;
      const nameEnd = nameStart + parseLength(buffer, position + 1, nameLineEnd);
      if (nameEnd + 2 > buffer.length) return this.undo(-(nameEnd + 2));
      const column = this.columnOf(buffer, nameStart, nameEnd, pair);
      otherBytes += nameEnd - nameStart;
      position = nameEnd + 2;
      // Fields outside the schema are skipped; a field cannot appear twice in one hash.
      const next =
        column < 0 || seen[column] === 1
          ? skipBulk(buffer, position)
          : readBulkInto(buffer, position, columns[column]!);
      if (next < 0) return this.undo(next);
      if (column >= 0 && seen[column] === 0) seen[column] = 1;
      else otherBytes += bulkLength(buffer, position);
      position = next;
    }
    for (let c = 0; c < columns.length; c++) if (seen[c] === 0) columns[c]!.appendNull();
    this.otherBytes += otherBytes;
    this.finishRow(true);
    return position;
  }

  /** An error reply instead of a hash: recorded with its key, no row. */
  private readOtherReply(buffer: Uint8Array, start: number): number {
    const type = buffer[start];
    if (type !== MINUS) throw unexpected(type);
    const lineEnd = findLineEnd(buffer, start + 1);
    if (lineEnd < 0) return -(buffer.length + 1);
    const message = Buffer.from(buffer.buffer, buffer.byteOffset + start + 1, lineEnd - start - 1).toString();
    this.errors.push({ key: this.currentKey(), message });
    this.finishRow(false);
    return lineEnd + 2;
  }

  /** Moves to the next key; the key joins the key column when its reply made a row. */
  private finishRow(madeRow: boolean): void {
    const page = this.pages[0];
    if (page === undefined) throw new Error("a reply arrived for which no command was written");
    if (madeRow) {
      this.keyColumn.appendBytes(
        page.bytes,
        page.offsets[this.keyInPage]!,
        page.offsets[this.keyInPage + 1]!,
      );
      this.rows++;
    }
    if (++this.keyInPage === page.count) {
      this.pages.shift();
      this.keyInPage = 0;
    }
  }

  private currentKey(): string {
    const page = this.pages[0];
    return page === undefined ? "" : page.keys[this.keyInPage]!;
  }

  private undo(incomplete: number): number {
    for (const column of this.fieldColumns) if (column.length > this.rows) column.truncate(this.rows);
    return incomplete;
  }

  private columnOf(buffer: Uint8Array, start: number, end: number, pair: number): number {
    const guess = pair < this.lastOrder.length ? this.lastOrder[pair]! : -1;
    if (guess >= 0 && bytesEqual(this.fieldNames[guess]!, buffer, start, end)) return guess;
    for (let c = 0; c < this.fieldNames.length; c++) {
      if (bytesEqual(this.fieldNames[c]!, buffer, start, end)) {
        if (pair < this.lastOrder.length) this.lastOrder[pair] = c;
        return c;
      }
    }
    return -1;
  }
}

/** Appends the bulk string (or nil) at `position` to `column`; returns the next position or -(bytes needed). */
function readBulkInto(buffer: Uint8Array, position: number, column: ByteColumn): number {
  if (position + 1 >= buffer.length) return -(position + 2);
  const type = buffer[position];
  if (type === DOLLAR) {
    const lineEnd = findLineEnd(buffer, position + 1);
    if (lineEnd < 0) return -(buffer.length + 1);
    const length = parseLength(buffer, position + 1, lineEnd);
    if (length < 0) {
      column.appendNull();
      return lineEnd + 2;
    }
    const valueStart = lineEnd + 2;
    const valueEnd = valueStart + length;
    if (valueEnd + 2 > buffer.length) return -(valueEnd + 2);
    column.appendBytes(buffer, valueStart, valueEnd);
    return valueEnd + 2;
  }
  if (type === UNDERSCORE) {
    if (position + 3 > buffer.length) return -(position + 3);
    column.appendNull();
    return position + 3;
  }
  throw unexpected(type);
}

/** 1 when the element at `position` is a nil bulk (`$-1`) or a RESP3 null. */
function isNullAt(buffer: Uint8Array, position: number): number {
  return buffer[position] === UNDERSCORE || (buffer[position + 1] === MINUS && buffer[position + 2] === 0x31)
    ? 1
    : 0;
}

/** The length of the complete bulk string at `position` (0 for nil). */
function bulkLength(buffer: Uint8Array, position: number): number {
  const lineEnd = findLineEnd(buffer, position + 1);
  return Math.max(0, parseLength(buffer, position + 1, lineEnd));
}

function skipBulk(buffer: Uint8Array, position: number): number {
  if (position + 1 >= buffer.length) return -(position + 2);
  const lineEnd = findLineEnd(buffer, position + 1);
  if (lineEnd < 0) return -(buffer.length + 1);
  const length = parseLength(buffer, position + 1, lineEnd);
  if (length < 0) return lineEnd + 2;
  const next = lineEnd + 2 + length + 2;
  return next > buffer.length ? -next : next;
}

/** The index of the CR that ends the line starting at `from` (its LF must have arrived too), or -1. */
function findLineEnd(buffer: Uint8Array, from: number): number {
  const last = buffer.length - 1;
  for (let i = from; i < last; i++) if (buffer[i] === CR) return i;
  return -1;
}

function parseLength(buffer: Uint8Array, start: number, end: number): number {
  if (buffer[start] === MINUS) return -1;
  let value = 0;
  for (let i = start; i < end; i++) value = value * 10 + (buffer[i]! - 48);
  return value;
}

function bytesEqual(name: Uint8Array, buffer: Uint8Array, start: number, end: number): boolean {
  if (end - start !== name.length) return false;
  for (let i = 0; i < name.length; i++) if (name[i] !== buffer[start + i]) return false;
  return true;
}

function unexpected(type: number | undefined): Error {
  return new Error(
    `unexpected RESP reply type ${JSON.stringify(String.fromCharCode(type ?? 0))} in a hash reply`,
  );
}

// One live decoder keeps its map, and the optimized decoding code, across full collections (anchorShape).
anchorShape(new HashReplyDecoder(["field"], "hgetall", 1));
