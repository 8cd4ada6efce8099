import type { ByteColumn } from "../../frame/byte-column.js";

const CRLF_LENGTH = 2;
/** Room for "$" or "*", a length of up to 20 digits and CRLF. */
const HEADER_ROOM = 24;

/**
 * Encodes commands as RESP2 into one growing buffer: an array header, then each argument as a bulk string,
 * copied straight from its bytes (values come from a ByteColumn's Arrow memory, no JS string per value).
 */
export class RespEncoder {
  private buffer: Buffer = Buffer.allocUnsafe(256 * 1024);
  private at = 0;
  private commands = 0;

  /** Bytes encoded since the last `take()`. */
  get length(): number {
    return this.at;
  }

  /** Commands encoded since the last `take()`. */
  get commandCount(): number {
    return this.commands;
  }

  /** Starts a command of `argumentCount` arguments (its name included). */
  command(argumentCount: number): void {
    this.header(0x2a, argumentCount);
    this.commands++;
  }

  text(value: string): void {
    const most = value.length * 3;
    this.reserve(HEADER_ROOM + most + CRLF_LENGTH);
    // Written after a gap wide enough for the largest header, then moved next to its real header.
    const gap = HEADER_ROOM;
    const length = this.buffer.write(value, this.at + gap, "utf8");
    const start = this.at;
    this.header(0x24, length);
    this.buffer.copyWithin(this.at, start + gap, start + gap + length);
    this.at += length;
    this.crlf();
  }

  bytes(value: Uint8Array): void {
    this.reserve(HEADER_ROOM + value.length + CRLF_LENGTH);
    this.header(0x24, value.length);
    this.buffer.set(value, this.at);
    this.at += value.length;
    this.crlf();
  }

  /** Bytes already encoded as RESP (a bulk string prepared once, such as a field name). */
  raw(encoded: Uint8Array): void {
    this.reserve(encoded.length);
    this.buffer.set(encoded, this.at);
    this.at += encoded.length;
  }

  /** The value at `row` of a byte column. */
  columnValue(column: ByteColumn, row: number): void {
    const length = column.byteLength(row);
    this.reserve(HEADER_ROOM + length + CRLF_LENGTH);
    this.header(0x24, length);
    column.copyTo(row, this.buffer, this.at);
    this.at += length;
    this.crlf();
  }

  /** Drops whatever was encoded since the last `take()` (what a failed encoding left behind). */
  reset(): void {
    this.at = 0;
    this.commands = 0;
  }

  /** Moves everything `other` encoded to the end of this encoder; `other` starts over. */
  append(other: RespEncoder): void {
    this.reserve(other.at);
    other.buffer.copy(this.buffer, this.at, 0, other.at);
    this.at += other.at;
    this.commands += other.commands;
    other.at = 0;
    other.commands = 0;
  }

  /** The encoded commands as a Buffer of their own (the socket may hold it); the encoder starts over. */
  take(): Buffer {
    const out = Buffer.from(this.buffer.subarray(0, this.at));
    this.at = 0;
    this.commands = 0;
    return out;
  }

  private header(marker: number, value: number): void {
    this.reserve(HEADER_ROOM);
    const buffer = this.buffer;
    buffer[this.at++] = marker;
    if (value < 10) {
      buffer[this.at++] = 48 + value;
    } else if (value < 100) {
      buffer[this.at++] = 48 + Math.floor(value / 10);
      buffer[this.at++] = 48 + (value % 10);
    } else {
      this.at += buffer.write(String(value), this.at, "latin1");
    }
    this.crlf();
  }

  private crlf(): void {
    this.buffer[this.at++] = 0x0d;
    this.buffer[this.at++] = 0x0a;
  }

  private reserve(bytes: number): void {
    if (this.at + bytes <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.at + bytes));
    this.buffer.copy(grown, 0, 0, this.at);
    this.buffer = grown;
  }
}

/** `value` as a complete RESP bulk string, for arguments written many times (field names). */
export function encodeBulk(value: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from(`$${value.length}\r\n`), value, Buffer.from("\r\n")]);
}
