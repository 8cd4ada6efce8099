import type { ArrowTextColumn } from "../frame/arrow-text-column.js";

/**
 * Builds one MessagePack array: the per-key payload of a script call, sent as a single argument and decoded
 * by the script with `cmsgpack.unpack`. One argument instead of thousands spares the client the per-argument
 * cost of command encoding, which is where most of a pipelined write's client time goes.
 */
export class PayloadWriter {
  private buffer: Buffer = Buffer.allocUnsafe(64 * 1024);
  private offset = 5;
  private items = 0;

  get itemCount(): number {
    return this.items;
  }

  /** A non-negative integer (a TTL in ms, an item count). */
  number(value: number): void {
    this.reserve(9);
    const buffer = this.buffer;
    if (value < 128) {
      buffer[this.offset++] = value;
    } else if (value <= 0xffffffff) {
      buffer[this.offset++] = 0xce;
      buffer.writeUInt32BE(value, this.offset);
      this.offset += 4;
    } else {
      buffer[this.offset++] = 0xcb;
      buffer.writeDoubleBE(value, this.offset);
      this.offset += 8;
    }
    this.items++;
  }

  /** A string, as UTF-8 bytes. */
  text(value: string): void {
    const most = value.length * 3;
    this.reserve(most + 5);
    const header = headerSize(most);
    const length = this.buffer.write(value, this.offset + header, "utf8");
    this.finishString(length, header);
  }

  /** Bytes as they are (binary-safe values). */
  binary(value: Uint8Array): void {
    this.reserve(value.length + 5);
    const header = headerSize(value.length);
    this.buffer.set(value, this.offset + header);
    this.finishString(value.length, header);
  }

  /** A value of a byte column, copied as is. */
  bytes(column: ArrowTextColumn, row: number): void {
    const length = column.byteLength(row);
    this.reserve(length + 5);
    const header = headerSize(length);
    column.copyTo(row, this.buffer, this.offset + header);
    this.finishString(length, header);
  }

  /** The finished array, as a Buffer of its own; the writer is then empty again, ready for the next call. */
  finish(): Buffer {
    const buffer = this.buffer;
    buffer[0] = 0xdd;
    buffer.writeUInt32BE(this.items, 1);
    const payload = Buffer.from(buffer.subarray(0, this.offset));
    this.offset = 5;
    this.items = 0;
    return payload;
  }

  /** Writes the string header for `length` bytes already placed after a gap of `reserved` header bytes. */
  private finishString(length: number, reserved: number): void {
    const needed = headerSize(length);
    const start = this.offset;
    if (needed !== reserved)
      this.buffer.copyWithin(start + needed, start + reserved, start + reserved + length);
    const buffer = this.buffer;
    if (needed === 1) {
      buffer[start] = 0xa0 | length;
    } else if (needed === 2) {
      buffer[start] = 0xd9;
      buffer[start + 1] = length;
    } else if (needed === 3) {
      buffer[start] = 0xda;
      buffer.writeUInt16BE(length, start + 1);
    } else {
      buffer[start] = 0xdb;
      buffer.writeUInt32BE(length, start + 1);
    }
    this.offset = start + needed + length;
    this.items++;
  }

  private reserve(bytes: number): void {
    if (this.offset + bytes <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.offset + bytes));
    this.buffer.copy(grown, 0, 0, this.offset);
    this.buffer = grown;
  }
}

function headerSize(length: number): number {
  if (length < 32) return 1;
  if (length < 256) return 2;
  if (length < 65536) return 3;
  return 5;
}
