import {
  anchorShape,
  ByteColumn,
  findLineEnd,
  type ReplyDecoder,
  readInteger,
  respValueLength,
} from "@polars-redis/core/internal";

/** The replies a SearchReplyDecoder reads. */
export type SearchReplyShape =
  /** FT.AGGREGATE ... WITHCURSOR and FT.CURSOR READ: `[[total, row...], cursor]`, rows of name/value pairs. */
  | { readonly kind: "cursor" }
  /** FT.SEARCH: `[total, key, [score], [fields]...]`. */
  | { readonly kind: "search"; readonly withScores: boolean; readonly withContent: boolean };

/** What the last reply said (besides the rows it added to the columns). */
export interface SearchReplyInfo {
  /** Documents (rows) the reply brought. */
  readonly documents: number;
  /** FT.SEARCH: the number of matching documents. */
  readonly total: number;
  /** FT.AGGREGATE / FT.CURSOR READ: the cursor id, 0 once the cursor is exhausted. */
  readonly cursor: number;
  /** An error reply's text (the reply added no row then). */
  readonly error: string | undefined;
}

const STAR = 0x2a; // '*'
const DOLLAR = 0x24; // '$'
const COLON = 0x3a; // ':'
const MINUS = 0x2d; // '-'
const PLUS = 0x2b; // '+'
const KEY_FIELD = Buffer.from("__key");
const EMPTY = new Uint8Array(0);

/**
 * Decodes RediSearch result pages (FT.SEARCH, or FT.AGGREGATE/FT.CURSOR READ with `LOAD @__key ...`) from RESP2
 * bytes straight into one ByteColumn per field, plus the key column and, with WITHSCORES, a score column (its
 * text): no JS value is made per document or field, as core's HashReplyDecoder does for HGETALL. Field names are
 * matched as bytes; a field outside `fields` is skipped, a field a document lacks is null, a field listed twice
 * keeps its first value. A reply is decoded once it has arrived whole (its length is checked first, headers
 * only), so a page cut by chunk boundaries never leaves half a row behind.
 *
 * `onReply` hears what each reply held. Simple-string replies (`+OK` of FT.CURSOR DEL)
 * add nothing; error replies, at the top or inside the results, are kept as `error`.
 */
export class SearchReplyDecoder implements ReplyDecoder {
  readonly fieldColumns: ByteColumn[];
  readonly keyColumn: ByteColumn;
  readonly scoreColumn: ByteColumn;
  /** Rows in the columns (since the last `resetColumns`). */
  rows = 0;

  private readonly fieldNames: Uint8Array[];
  /** The column of the field seen at each position last time: documents usually list fields alike. */
  private readonly lastOrder: Int32Array;
  private readonly seen: Uint8Array;
  /** How far the walk of a reply that has not arrived whole got: bytes from its start, elements still due. */
  private walked = 0;
  private walkRemaining = 1;
  /** Walks the reply being decoded: one per decoder, not one per reply (see the anchor at the end). */
  private readonly reader = new Cursor(EMPTY, 0);

  constructor(
    fields: readonly string[],
    private readonly shape: SearchReplyShape,
    rowCapacity = 1024,
  ) {
    this.fieldColumns = fields.map(() => new ByteColumn(rowCapacity));
    this.keyColumn = new ByteColumn(rowCapacity);
    this.scoreColumn = new ByteColumn(shape.kind === "search" && shape.withScores ? rowCapacity : 1);
    this.fieldNames = fields.map((name) => Buffer.from(name, "utf8"));
    this.lastOrder = new Int32Array(Math.max(64, fields.length * 2 + 2)).fill(-1);
    this.seen = new Uint8Array(fields.length);
  }

  /**
   * Told about each reply as soon as it is decoded, before the next one is read (a chunk may hold several):
   * its rows are then the last ones in the columns.
   */
  onReply: ((info: SearchReplyInfo) => void) | undefined;

  /**
   * Where the reply that starts at `start` ends, or, when it has not arrived whole, `-(bytes needed at least)`.
   * Only headers are read (as core's respValueLength does), and a reply cut by chunk boundaries is not walked
   * again from its start: the reader hands the same reply back (moved to the front of its buffer) once more
   * bytes have arrived, and the walk goes on where it stopped.
   */
  private replyEnd(buffer: Uint8Array, start: number): number {
    let at = start + this.walked;
    let remaining = this.walkRemaining;
    while (remaining > 0) {
      if (at >= buffer.length) return this.pause(start, at, remaining, -(at + 1));
      const type = buffer[at];
      const lineEnd = findLineEnd(buffer, at + 1);
      if (lineEnd < 0) return this.pause(start, at, remaining, -(buffer.length + 1));
      if (type === DOLLAR) {
        const length = readInteger(buffer, at + 1, lineEnd);
        const next = length < 0 ? lineEnd + 2 : lineEnd + 4 + length;
        if (next > buffer.length) return this.pause(start, at, remaining, -next);
        at = next;
        remaining--;
      } else if (type === STAR) {
        remaining += Math.max(0, readInteger(buffer, at + 1, lineEnd)) - 1;
        at = lineEnd + 2;
      } else if (type === COLON || type === PLUS || type === MINUS) {
        at = lineEnd + 2;
        remaining--;
      } else throw unexpected(buffer, at, "a RESP2 reply");
    }
    this.walked = 0;
    this.walkRemaining = 1;
    return at;
  }

  private pause(start: number, at: number, remaining: number, needed: number): number {
    this.walked = at - start;
    this.walkRemaining = remaining;
    return needed;
  }

  /** Keeps the first `rows` rows (drops what a page brought past a limit). */
  truncate(rows: number): void {
    for (const column of [...this.fieldColumns, this.keyColumn, this.scoreColumn])
      if (column.length > rows) column.truncate(rows);
    this.rows = Math.min(this.rows, rows);
  }

  /** Empties the columns (their rows became a frame), keeping the buffers for the next rows. */
  resetColumns(): void {
    for (const column of this.fieldColumns) column.reset();
    this.keyColumn.reset();
    this.scoreColumn.reset();
    this.rows = 0;
  }

  decode(buffer: Uint8Array, start: number): number {
    const end = this.replyEnd(buffer, start);
    if (end < 0) return end;
    const before = this.rows;
    const reader = this.reader;
    reader.reset(buffer, start);
    let total = 0;
    let cursor = 0;
    let error: string | undefined;
    try {
      const type = buffer[start];
      if (type === MINUS) error = lineText(buffer, start + 1);
      else if (type === PLUS) {
        // FT.CURSOR DEL's OK: no rows.
      } else if (this.shape.kind === "cursor") {
        reader.expectArray(); // [results, cursor]
        const count = reader.expectArray();
        total = reader.integer();
        for (let i = 1; i < count; i++) this.readPairsRow(reader, true);
        cursor = reader.integer();
      } else {
        const count = reader.expectArray();
        total = reader.integer();
        const { withScores, withContent } = this.shape;
        for (let i = 1; i < count; ) {
          reader.bulk();
          this.keyColumn.appendBytes(buffer, reader.start, reader.end);
          i++;
          if (withScores) {
            reader.bulk();
            this.scoreColumn.appendBytes(buffer, reader.start, reader.end);
            i++;
          }
          if (withContent) {
            this.readPairsRow(reader, false);
            i++;
          } else this.nullRow();
          this.rows++;
        }
      }
    } catch (failure) {
      if (!(failure instanceof NestedError)) throw failure;
      error = failure.message;
    }
    reader.reset(EMPTY, 0); // holds no socket chunk between replies
    if (error !== undefined) this.truncate(before);
    this.onReply?.({ documents: this.rows - before, total, cursor, error });
    return end;
  }

  /**
   * One document's `name, value, ...` array into the columns. `withKey`: the pairs include `__key` (the cursor
   * rows), which goes to the key column (FT.SEARCH gives the key before the array). A nil array (a document
   * deleted while the page was read) is a row of nulls.
   */
  private readPairsRow(reader: Cursor, withKey: boolean): void {
    const buffer = reader.buffer;
    const length = reader.arrayOrNil();
    const columns = this.fieldColumns;
    const seen = this.seen;
    seen.fill(0);
    let keySeen = false;
    for (let pair = 0; pair + 1 < length; pair += 2) {
      reader.bulk();
      const nameStart = reader.start;
      const nameEnd = reader.end;
      const column = this.columnOf(buffer, nameStart, nameEnd, pair >> 1);
      if (column >= 0 && seen[column] === 0) {
        seen[column] = 1;
        reader.valueInto(columns[column]!);
      } else if (withKey && !keySeen && column === -1 && bytesEqual(KEY_FIELD, buffer, nameStart, nameEnd)) {
        keySeen = true;
        reader.valueInto(this.keyColumn);
      } else reader.skip();
    }
    if (length % 2 === 1) reader.skip();
    for (let c = 0; c < columns.length; c++) if (seen[c] === 0) columns[c]!.appendNull();
    if (withKey) {
      if (!keySeen) this.keyColumn.appendBytes(buffer, 0, 0);
      this.rows++;
    }
  }

  private nullRow(): void {
    for (const column of this.fieldColumns) column.appendNull();
  }

  private columnOf(buffer: Uint8Array, start: number, end: number, pair: number): number {
    const order = this.lastOrder;
    const guess = pair < order.length ? order[pair]! : -1;
    if (guess >= 0 && bytesEqual(this.fieldNames[guess]!, buffer, start, end)) return guess;
    for (let c = 0; c < this.fieldNames.length; c++) {
      if (bytesEqual(this.fieldNames[c]!, buffer, start, end)) {
        if (pair < order.length) order[pair] = c;
        return c;
      }
    }
    return -1;
  }
}

/** An error reply inside the results: the page failed. */
class NestedError extends Error {}

/** Reads one whole RESP2 reply (already known to be complete) element by element. */
class Cursor {
  constructor(
    public buffer: Uint8Array,
    private at: number,
  ) {}

  reset(buffer: Uint8Array, at: number): void {
    this.buffer = buffer;
    this.at = at;
  }

  /** An array header; its element count. */
  expectArray(): number {
    const count = this.arrayOrNil();
    if (count < 0) throw unexpected(this.buffer, this.at, "an array");
    return count;
  }

  /** An array header's count, or -1 for a nil (`*-1` or `$-1`). */
  arrayOrNil(): number {
    const type = this.buffer[this.at];
    if (type !== STAR && type !== DOLLAR) this.notExpected("an array");
    const value = this.line();
    if (type === DOLLAR && value >= 0) throw unexpected(this.buffer, this.at, "an array");
    return value;
  }

  integer(): number {
    const type = this.buffer[this.at];
    if (type === COLON) return this.line();
    if (type === DOLLAR) {
      this.bulk();
      const bytes = this.buffer.subarray(this.start, this.end);
      return Number(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString());
    }
    return this.notExpected("an integer");
  }

  /** The bytes of the last bulk string read: [start, end). */
  start = 0;
  end = 0;

  /** Reads a bulk string: its bytes are then [start, end) (a nil is empty). */
  bulk(): void {
    if (this.buffer[this.at] !== DOLLAR) this.notExpected("a bulk string");
    const length = this.line();
    this.start = this.at;
    if (length < 0) this.end = this.at;
    else {
      this.end = this.at + length;
      this.at = this.end + 2;
    }
  }

  /** A field value into `column`: a bulk string (nil: null), or an integer's digits. */
  valueInto(column: ByteColumn): void {
    const type = this.buffer[this.at];
    if (type === DOLLAR) {
      const length = this.line();
      if (length < 0) column.appendNull();
      else {
        column.appendBytes(this.buffer, this.at, this.at + length);
        this.at += length + 2;
      }
    } else if (type === COLON) {
      const start = this.at + 1;
      const lineEnd = findLineEnd(this.buffer, start);
      column.appendBytes(this.buffer, start, lineEnd);
      this.at = lineEnd + 2;
    } else if (type === STAR && this.line() < 0) column.appendNull();
    else this.notExpected("a field value");
  }

  /** Skips one element, whatever it holds. */
  skip(): void {
    if (this.buffer[this.at] === MINUS) this.notExpected("a value");
    this.at += respValueLength(this.buffer, this.at);
  }

  /** Reads the header line at `at` (type byte, then an integer) and moves past it. */
  private line(): number {
    const lineEnd = findLineEnd(this.buffer, this.at + 1);
    const value = readInteger(this.buffer, this.at + 1, lineEnd);
    this.at = lineEnd + 2;
    return value;
  }

  private notExpected(what: string): never {
    if (this.buffer[this.at] === MINUS) throw new NestedError(lineText(this.buffer, this.at + 1));
    throw unexpected(this.buffer, this.at, what);
  }
}

function unexpected(buffer: Uint8Array, at: number, what: string): Error {
  return new Error(
    `unexpected RESP element ${JSON.stringify(String.fromCharCode(buffer[at] ?? 0))} in a RediSearch reply, expected ${what}`,
  );
}

/** The text of the line that starts at `from`. */
function lineText(buffer: Uint8Array, from: number): string {
  const lineEnd = findLineEnd(buffer, from);
  return Buffer.from(buffer.buffer, buffer.byteOffset + from, lineEnd - from).toString("utf8");
}

function bytesEqual(name: Uint8Array, buffer: Uint8Array, start: number, end: number): boolean {
  if (end - start !== name.length) return false;
  for (let i = 0; i < name.length; i++) if (name[i] !== buffer[start + i]) return false;
  return true;
}

// One live decoder (with its cursor and columns) keeps their maps, and the optimized decoding code, across full
// collections: without it every search after a full collection decodes in the interpreter (core's anchorShape).
anchorShape(new SearchReplyDecoder(["field"], { kind: "cursor" }, 1));
