const CRLF_LENGTH = 2;
/** Room for "$" or "*", a length of up to 20 digits and CRLF. */
const HEADER_ROOM = 24;

/** Values read by position without a JS string per value (e.g. a text column in Arrow memory). */
export interface ByteSource {
  byteLength(row: number): number;
  /** Copies the value's bytes to `target` at `offset`. */
  copyTo(row: number, target: Uint8Array, offset: number): void;
}

/**
 * The one RESP2 command encoder: commands into one growing buffer, an array header then each argument as a
 * bulk string, copied straight from its bytes where it has them (Arrow memory, a key page), so no JS string is
 * made per value. `take()` hands the encoded commands over as a Buffer of their own.
 */
export class RespEncoder {
  private buffer: Buffer;
  private at = 0;
  private commands = 0;

  constructor(initialBytes = 256 * 1024) {
    this.buffer = Buffer.allocUnsafe(initialBytes);
  }

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

  /** A whole command of text arguments. */
  args(args: readonly string[]): void {
    this.command(args.length);
    for (const arg of args) this.text(arg);
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
    this.bytesOf(value, 0, value.length);
  }

  /** Bytes [start, end) of `source` as one bulk string. */
  bytesOf(source: Uint8Array, start: number, end: number): void {
    const length = end - start;
    this.reserve(HEADER_ROOM + length + CRLF_LENGTH);
    this.header(0x24, length);
    if (length < 32) {
      const buffer = this.buffer;
      let at = this.at;
      for (let i = start; i < end; i++) buffer[at++] = source[i]!;
    } else this.buffer.set(source.subarray(start, end), this.at);
    this.at += length;
    this.crlf();
  }

  /** Bytes already encoded as RESP (a bulk string or command prefix prepared once, such as a field name). */
  raw(encoded: Uint8Array): void {
    this.reserve(encoded.length);
    this.buffer.set(encoded, this.at);
    this.at += encoded.length;
  }

  /** The value at `row` of a byte source, as one bulk string. */
  columnValue(column: ByteSource, row: number): void {
    const length = column.byteLength(row);
    this.reserve(HEADER_ROOM + length + CRLF_LENGTH);
    this.header(0x24, length);
    column.copyTo(row, this.buffer, this.at);
    this.at += length;
    this.crlf();
  }

  /**
   * Counts `count` commands written with `raw` (a pre-encoded command template): `commandCount` then says how
   * many replies the encoded bytes ask for.
   */
  countCommands(count: number): void {
    this.commands += count;
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

/** Shared by encodeCommands: it is used synchronously and hands its bytes over with take(). */
const shared = new RespEncoder(64 * 1024);

/** Commands as one RESP2 byte buffer: `*<n>` then each argument as a bulk string (setup commands, XACK, ...). */
export function encodeCommands(commands: readonly (readonly string[])[]): Buffer {
  shared.reset();
  for (const args of commands) shared.args(args);
  return shared.take();
}

/** `value` as a complete RESP bulk string, for arguments written many times (field names). */
export function encodeBulk(value: Uint8Array | string): Buffer {
  const bytes = typeof value === "string" ? Buffer.from(value, "utf8") : value;
  return Buffer.concat([Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from("\r\n")]);
}
