import { ByteColumn } from "./byte-column.js";

const CR = 13;
const STAR = 42; // '*'
const DOLLAR = 36; // '$'
const MINUS = 45; // '-'
const UNDERSCORE = 95; // '_' (RESP3 null; never sent on a RESP2 socket, accepted anyway)

export type HashReplyShape = "hmget" | "hgetall";

/** The keys of one page of commands, in command order: their bytes back to back and int32 offsets. */
export interface KeyPage {
  bytes: Uint8Array;
  offsets: Int32Array;
  count: number;
}

/**
 * Decodes pipelined HMGET (positional) or HGETALL (field/value pairs) replies from a RESP2 byte stream
 * straight into one ByteColumn per field. A reply split across socket chunks is undone and re-read when the
 * rest arrives. `onRow(rowPresent)` is not called per row: counts are kept instead (rows, skipped keys).
 */
export class RespHashReader {
  readonly columns: ByteColumn[];
  /** The key of every row, copied from the page of keys the commands were written for. */
  readonly keyColumn: ByteColumn;
  private readonly pages: KeyPage[] = [];
  private keyInPage = 0;
  /** Per reply read, in order: 1 if it made a row, 0 if it was skipped (missing key, error). */
  rowsRead = 0;
  repliesRead = 0;
  readonly errors: { reply: number; message: string }[] = [];
  /** Bytes of a reply cut by a chunk boundary, kept at the front of `scratch`. */
  private scratch = new Uint8Array(1 << 17);
  private leftover = 0;
  private readonly fieldNames: Uint8Array[];
  /** For HGETALL: the field order seen last, so the usual case (same order every key) is one compare each. */
  private readonly lastOrder: Int32Array;
  private readonly seen: Uint8Array;

  constructor(
    fields: readonly string[],
    private readonly shape: HashReplyShape,
    rowCapacity = 1024,
  ) {
    this.columns = fields.map(() => new ByteColumn(rowCapacity));
    this.keyColumn = new ByteColumn(rowCapacity);
    this.fieldNames = fields.map((f) => Buffer.from(f, "utf8"));
    this.lastOrder = new Int32Array(Math.max(64, fields.length * 2)).fill(-1);
    this.seen = new Uint8Array(fields.length);
  }

  /** Registers the keys of commands just written; replies are matched to them in order. */
  expectKeys(page: KeyPage): void {
    this.pages.push(page);
  }

  /** Empties the columns (after they became a frame), keeping their buffers for the next rows. */
  resetColumns(): void {
    for (const column of this.columns) column.reset();
    this.keyColumn.reset();
    this.rowsRead = 0;
  }

  /** Moves past the current reply's key, copying it into the key column when the reply made a row. */
  private takeKey(madeRow: boolean): void {
    const page = this.pages[0];
    if (!page) throw new Error("a reply arrived for which no command was written");
    if (madeRow)
      this.keyColumn.appendBytes(
        page.bytes,
        page.offsets[this.keyInPage]!,
        page.offsets[this.keyInPage + 1]!,
      );
    if (++this.keyInPage === page.count) {
      this.pages.shift();
      this.keyInPage = 0;
    }
  }

  /** Feeds one socket chunk; returns the number of complete replies decoded from it. */
  push(chunk: Uint8Array): number {
    let buffer = chunk;
    if (this.leftover > 0) {
      // A reply was cut by the chunk boundary: append the chunk to its start in the reusable scratch buffer.
      if (this.leftover + chunk.length > this.scratch.length) {
        const grown = new Uint8Array(Math.max(this.scratch.length * 2, this.leftover + chunk.length));
        grown.set(this.scratch.subarray(0, this.leftover));
        this.scratch = grown;
      }
      this.scratch.set(chunk, this.leftover);
      buffer = this.scratch.subarray(0, this.leftover + chunk.length);
    }
    let position = 0;
    let decoded = 0;
    const end = buffer.length;
    while (position < end) {
      const next =
        this.shape === "hmget" ? this.readHmget(buffer, position) : this.readHgetall(buffer, position);
      if (next < 0) break;
      position = next;
      decoded++;
    }
    this.keepLeftover(buffer, position);
    this.repliesRead += decoded;
    return decoded;
  }

  /** Moves the unread tail to the front of the scratch buffer (no allocation once the buffer is big enough). */
  private keepLeftover(buffer: Uint8Array, position: number): void {
    const rest = buffer.length - position;
    if (rest === 0) {
      this.leftover = 0;
      return;
    }
    if (buffer.buffer === this.scratch.buffer) this.scratch.copyWithin(0, position, buffer.length);
    else {
      if (rest > this.scratch.length) this.scratch = new Uint8Array(Math.max(rest, this.scratch.length * 2));
      this.scratch.set(buffer.subarray(position));
    }
    this.leftover = rest;
  }

  /** Returns the position after the reply, or -1 if the reply is incomplete (column writes undone). */
  private readHmget(buffer: Uint8Array, start: number): number {
    const type = buffer[start];
    if (type !== STAR) return this.readTopLevelOther(buffer, start);
    let position = start + 1;
    const lineEnd = findCr(buffer, position);
    if (lineEnd < 0) return -1;
    const count = parseInteger(buffer, position, lineEnd);
    position = lineEnd + 2;
    const columns = this.columns;
    const rowsBefore = this.rowsRead;
    for (let i = 0; i < count; i++) {
      const next = this.readBulkInto(buffer, position, columns[i]!);
      if (next < 0) {
        for (let j = 0; j < i; j++) columns[j]!.truncate(rowsBefore);
        return -1;
      }
      position = next;
    }
    this.rowsRead++;
    this.takeKey(true);
    return position;
  }

  private readHgetall(buffer: Uint8Array, start: number): number {
    const type = buffer[start];
    if (type !== STAR) return this.readTopLevelOther(buffer, start);
    let position = start + 1;
    const lineEnd = findCr(buffer, position);
    if (lineEnd < 0) return -1;
    const count = parseInteger(buffer, position, lineEnd) >> 1;
    position = lineEnd + 2;
    if (count === 0) {
      this.takeKey(false); // the key is gone (deleted or expired since SCAN): no row
      return position;
    }
    const columns = this.columns;
    const rowsBefore = this.rowsRead;
    const seen = this.seen;
    seen.fill(0);
    for (let pair = 0; pair < count; pair++) {
      // field name
      if (position >= buffer.length) return this.undo(rowsBefore);
      if (buffer[position] !== DOLLAR)
        throw new Error(`unexpected RESP type ${buffer[position]} in HGETALL reply`);
      const nameLineEnd = findCr(buffer, position + 1);
      if (nameLineEnd < 0) return this.undo(rowsBefore);
      const nameLength = parseInteger(buffer, position + 1, nameLineEnd);
      const nameStart = nameLineEnd + 2;
      const nameEnd = nameStart + nameLength;
      if (nameEnd + 2 > buffer.length) return this.undo(rowsBefore);
      const column = this.columnOf(buffer, nameStart, nameEnd, pair);
      position = nameEnd + 2;
      if (column < 0) {
        position = skipBulk(buffer, position);
        if (position < 0) return this.undo(rowsBefore);
        continue;
      }
      const next = this.readBulkInto(buffer, position, columns[column]!);
      if (next < 0) return this.undo(rowsBefore);
      seen[column] = 1;
      position = next;
    }
    for (let c = 0; c < columns.length; c++) if (seen[c] === 0) columns[c]!.appendNull();
    this.rowsRead++;
    this.takeKey(true);
    return position;
  }

  private undo(rowsBefore: number): number {
    for (const column of this.columns) if (column.length > rowsBefore) column.truncate(rowsBefore);
    return -1;
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

  private readBulkInto(buffer: Uint8Array, position: number, column: ByteColumn): number {
    if (position >= buffer.length) return -1;
    const type = buffer[position];
    if (type === DOLLAR) {
      const lineEnd = findCr(buffer, position + 1);
      if (lineEnd < 0) return -1;
      const length = parseInteger(buffer, position + 1, lineEnd);
      if (length < 0) {
        column.appendNull();
        return lineEnd + 2;
      }
      const valueStart = lineEnd + 2;
      const valueEnd = valueStart + length;
      if (valueEnd + 2 > buffer.length) return -1;
      column.appendBytes(buffer, valueStart, valueEnd);
      return valueEnd + 2;
    }
    if (type === UNDERSCORE) {
      if (position + 3 > buffer.length) return -1;
      column.appendNull();
      return position + 3;
    }
    throw new Error(`unexpected RESP type ${String.fromCharCode(type ?? 0)} inside a hash reply`);
  }

  /** An error reply (e.g. WRONGTYPE when a key changed type since SCAN): recorded, no row. */
  private readTopLevelOther(buffer: Uint8Array, start: number): number {
    const type = buffer[start];
    const lineEnd = findCr(buffer, start + 1);
    if (lineEnd < 0) return -1;
    if (type === MINUS) {
      const message = Buffer.from(buffer.subarray(start + 1, lineEnd)).toString();
      this.errors.push({ reply: this.repliesRead, message });
      this.takeKey(false);
      return lineEnd + 2;
    }
    throw new Error(`unexpected RESP reply type ${String.fromCharCode(type ?? 0)} for a hash read`);
  }
}

function findCr(buffer: Uint8Array, from: number): number {
  const end = buffer.length - 1; // the LF after CR must be there too
  for (let i = from; i < end; i++) if (buffer[i] === CR) return i;
  return -1;
}

function parseInteger(buffer: Uint8Array, start: number, end: number): number {
  let negative = false;
  let i = start;
  if (buffer[i] === MINUS) {
    negative = true;
    i++;
  }
  let value = 0;
  for (; i < end; i++) value = value * 10 + (buffer[i]! - 48);
  return negative ? -value : value;
}

function skipBulk(buffer: Uint8Array, position: number): number {
  if (position >= buffer.length) return -1;
  const lineEnd = findCr(buffer, position + 1);
  if (lineEnd < 0) return -1;
  const length = parseInteger(buffer, position + 1, lineEnd);
  if (length < 0) return lineEnd + 2;
  const next = lineEnd + 2 + length + 2;
  return next > buffer.length ? -1 : next;
}

function bytesEqual(name: Uint8Array, buffer: Uint8Array, start: number, end: number): boolean {
  if (end - start !== name.length) return false;
  for (let i = 0; i < name.length; i++) if (name[i] !== buffer[start + i]) return false;
  return true;
}
