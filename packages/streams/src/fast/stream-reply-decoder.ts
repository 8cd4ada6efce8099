import { ByteColumn, type ReplyDecoder } from "@polars-redis/core/internal";

const CR = 0x0d;
const STAR = 0x2a; // '*'
const DOLLAR = 0x24; // '$'
const MINUS = 0x2d; // '-'
const DASH = 0x2d; // '-' inside an id

/**
 * Decodes XREADGROUP / XREAD / XRANGE-shaped replies from a RESP2 byte stream straight into columns: the entry
 * ids, their time and sequence parts, and one ByteColumn per field (Arrow's Utf8 layout). No JS value is made
 * per field value; one string per entry (its id, needed for acknowledgements) and one per distinct field name.
 *
 * It decodes for a RespReader (which handles chunk boundaries): a reply cut by one is undone and read again
 * once more bytes have arrived.
 */
export class StreamReplyDecoder implements ReplyDecoder {
  rows = 0;
  /** Entry ids, row by row. */
  ids: string[] = [];
  /** Index into `streams` of each row's stream. */
  streamOfRow: number[] = [];
  readonly streams: string[] = [];
  readonly idColumn = new ByteColumn(1024);
  millis = new Float64Array(1024);
  sequences = new Float64Array(1024);
  /** Field columns in order of first appearance (or of `wanted`). */
  readonly columns = new Map<string, ByteColumn>();
  /** Error replies (e.g. NOGROUP), in order. */
  readonly errors: string[] = [];

  /** The bytes being decoded (a RespReader's chunk or scratch memory) and a Buffer view of them. */
  private buffer: Uint8Array = new Uint8Array(0);
  private view: Buffer = Buffer.alloc(0);
  private length = 0;
  /** Field names seen at each position of the previous entry: entries of a stream usually list fields alike. */
  private readonly nameCache: { bytes: Uint8Array; column: ByteColumn | null }[] = [];

  /** `wanted`: read only these fields (in this order); undefined reads every field, in order of appearance. */
  constructor(private readonly wanted: readonly string[] | undefined) {
    if (wanted !== undefined) for (const name of wanted) this.columns.set(name, new ByteColumn(1024));
  }

  /** Decodes one reply (a RespReader calls this): see ReplyDecoder. */
  decode(buffer: Uint8Array, start: number): number {
    if (buffer !== this.buffer) {
      this.buffer = buffer;
      this.view = Buffer.isBuffer(buffer)
        ? buffer
        : Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    }
    this.length = buffer.length;
    const rows = this.rows;
    const end = this.tryReadReply(start);
    if (end < 0) this.undo(rows);
    return end;
  }

  /** Empties the columns (their rows became a frame), keeping the buffers. */
  resetRows(): void {
    this.rows = 0;
    this.ids = [];
    this.streamOfRow = [];
    this.idColumn.reset();
    for (const column of this.columns.values()) column.reset();
    this.errors.length = 0;
  }

  private tryReadReply(start: number): number {
    const buffer = this.buffer;
    if (start >= this.length) return -(this.length + 1);
    const type = buffer[start];
    const lineEnd = this.findLineEnd(start + 1);
    if (lineEnd < 0) return -(this.length + 1);
    if (type === MINUS) {
      this.errors.push(this.view.toString("utf8", start + 1, lineEnd));
      return lineEnd + 2;
    }
    if (type !== STAR) throw new Error(`unexpected RESP reply type ${String.fromCharCode(type ?? 0)}`);
    const streams = parseInteger(buffer, start + 1, lineEnd);
    let position = lineEnd + 2;
    if (streams < 0) return position; // nil: nothing to read
    for (let s = 0; s < streams; s++) {
      // XREAD(GROUP) reply: one [stream, entries] pair per stream with entries.
      const header = this.readArrayHeader(position);
      if (header < 0) return header;
      position = this.afterHeader;
      const key = this.readBulk(position);
      if (key < 0) return key;
      const streamIndex = this.streamIndexOf(this.view.toString("utf8", this.bulkStart, this.bulkEnd));
      position = key;
      const entries = this.readEntries(position, streamIndex);
      if (entries < 0) return entries;
      position = entries;
    }
    return position;
  }

  private readEntries(start: number, streamIndex: number): number {
    const count = this.readArrayHeader(start);
    if (count < 0) return count;
    let position = this.afterHeader;
    for (let entry = 0; entry < count; entry++) {
      const pair = this.readArrayHeader(position);
      if (pair < 0) return pair;
      position = this.afterHeader;
      const id = this.readBulk(position);
      if (id < 0) return id;
      const idStart = this.bulkStart;
      const idEnd = this.bulkEnd;
      position = id;
      const fieldCount = this.readArrayHeader(position);
      if (fieldCount < 0 && fieldCount !== NIL) return fieldCount;
      position = this.afterHeader;
      if (fieldCount === NIL) continue; // deleted while pending (history reads only): no row
      const row = this.rows;
      for (let field = 0; field < fieldCount; field += 2) {
        const name = this.readBulk(position);
        if (name < 0) return name;
        const column = this.columnFor(field >> 1, this.bulkStart, this.bulkEnd);
        position = name;
        const value = this.readBulk(position);
        if (value < 0) return value;
        // A field listed twice in one entry: the first value counts, as in the ordinary path.
        if (column !== null && column.length === row)
          column.appendBytes(this.buffer, this.bulkStart, this.bulkEnd);
        position = value;
      }
      this.commitRow(streamIndex, idStart, idEnd);
    }
    return position;
  }

  private commitRow(streamIndex: number, idStart: number, idEnd: number): void {
    const row = this.rows;
    for (const column of this.columns.values()) if (column.length === row) column.appendNull();
    this.idColumn.appendBytes(this.buffer, idStart, idEnd);
    this.ids.push(this.view.toString("latin1", idStart, idEnd));
    this.streamOfRow.push(streamIndex);
    if (row === this.millis.length) {
      const millis = new Float64Array(row * 2);
      millis.set(this.millis);
      this.millis = millis;
      const sequences = new Float64Array(row * 2);
      sequences.set(this.sequences);
      this.sequences = sequences;
    }
    let ms = 0;
    let at = idStart;
    const buffer = this.buffer;
    while (at < idEnd && buffer[at] !== DASH) ms = ms * 10 + buffer[at++]! - 48;
    let seq = 0;
    for (at++; at < idEnd; at++) seq = seq * 10 + buffer[at]! - 48;
    this.millis[row] = ms;
    this.sequences[row] = seq;
    this.rows = row + 1;
  }

  private undo(rows: number): void {
    this.rows = rows;
    this.ids.length = rows;
    this.streamOfRow.length = rows;
    this.idColumn.truncate(rows);
    for (const column of this.columns.values()) if (column.length > rows) column.truncate(rows);
  }

  /** The column of the field named by bytes [start, end), or null for a field not read. */
  private columnFor(position: number, start: number, end: number): ByteColumn | null {
    const cached = this.nameCache[position];
    if (cached !== undefined && sameBytes(cached.bytes, this.buffer, start, end)) return cached.column;
    const name = this.view.toString("utf8", start, end);
    let column = this.columns.get(name) ?? null;
    if (column === null && this.wanted === undefined) {
      column = new ByteColumn(Math.max(1024, this.rows));
      for (let row = 0; row < this.rows; row++) column.appendNull();
      this.columns.set(name, column);
    }
    this.nameCache[position] = { bytes: this.buffer.slice(start, end), column };
    return column;
  }

  private streamIndexOf(key: string): number {
    const index = this.streams.indexOf(key);
    if (index >= 0) return index;
    this.streams.push(key);
    return this.streams.length - 1;
  }

  // Small parsing steps. Each returns a position (or count) >= 0, or -(bytes needed) < 0 when incomplete.
  private afterHeader = 0;
  private bulkStart = 0;
  private bulkEnd = 0;

  /** `*n`: returns n (NIL for `*-1`), the position after the line in `afterHeader`. */
  private readArrayHeader(start: number): number {
    if (start >= this.length) return -(this.length + 1);
    const lineEnd = this.findLineEnd(start + 1);
    if (lineEnd < 0) return -(this.length + 1);
    if (this.buffer[start] !== STAR) throw new Error("unexpected RESP type: expected an array");
    this.afterHeader = lineEnd + 2;
    const count = parseInteger(this.buffer, start + 1, lineEnd);
    return count < 0 ? NIL : count;
  }

  /** `$len` + bytes: the position after it; the bytes in [bulkStart, bulkEnd). */
  private readBulk(start: number): number {
    if (start >= this.length) return -(this.length + 1);
    const lineEnd = this.findLineEnd(start + 1);
    if (lineEnd < 0) return -(this.length + 1);
    if (this.buffer[start] !== DOLLAR) throw new Error("unexpected RESP type: expected a bulk string");
    const size = parseInteger(this.buffer, start + 1, lineEnd);
    this.bulkStart = lineEnd + 2;
    this.bulkEnd = this.bulkStart + size;
    const end = this.bulkEnd + 2;
    return end > this.length ? -end : end;
  }

  private findLineEnd(from: number): number {
    const index = this.buffer.indexOf(CR, from);
    return index < 0 || index + 1 >= this.length ? -1 : index;
  }
}

/** What readArrayHeader returns for `*-1` (a nil array); incomplete markers are -(buffer position) > -2^31. */
const NIL = -(2 ** 31);

function parseInteger(buffer: Uint8Array, start: number, end: number): number {
  let value = 0;
  let at = start;
  const negative = buffer[at] === MINUS;
  if (negative) at++;
  for (; at < end; at++) value = value * 10 + buffer[at]! - 48;
  return negative ? -value : value;
}

function sameBytes(bytes: Uint8Array, buffer: Uint8Array, start: number, end: number): boolean {
  if (bytes.length !== end - start) return false;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== buffer[start + i]) return false;
  return true;
}
