/**
 * How one RESP2 reply becomes something useful: a JS value, bytes in columns, a forwarded slice. The reader
 * hands a decoder the bytes it holds, starting at a reply's first byte; the decoder reads one whole reply.
 */
export interface ReplyDecoder {
  /**
   * Decodes the reply that starts at `start` in `buffer` (bytes up to `buffer.length` are valid). Returns the
   * offset just past the reply, or, when `buffer` does not hold all of it yet, `-(the buffer length it needs
   * at least)` (use `-(buffer.length + 1)` when unknown) with anything it wrote for this reply undone: the reply
   * is decoded again from its start once more bytes have arrived. Throws on bytes that are not RESP2.
   */
  decode(buffer: Uint8Array, start: number): number;
  /**
   * Optional: where the body of a bulk string reply should go while it arrives, instead of the reader holding
   * it until it is whole. Called for a bulk string reply (`$<length>`) whose header has arrived but whose body
   * has not, in place of waiting; `index` counts the replies decoded or streamed before it. Return a Uint8Array
   * of exactly `length` bytes to have the body copied there as it arrives (the reply then counts as decoded
   * once its CRLF is in, and `decode` is not called for it), or undefined to have it decoded whole as usual.
   */
  bulkTarget?(length: number, index: number): Uint8Array | undefined;
}

/**
 * The one reply reader of the RESP transport: splits a byte stream into whole replies, whatever the chunk
 * boundaries, and has its decoder read each. Complete replies are decoded in the chunk itself; only the start
 * of a reply cut by a chunk boundary is copied, and it is not read again until enough bytes have arrived.
 */
export class RespReader {
  /** Replies decoded since the reader was made. */
  replies = 0;
  /** The tail of the stream that does not yet hold a whole reply, at the front of `scratch`. */
  private scratch = new Uint8Array(1 << 16);
  private leftover = 0;
  /** Bytes the cut reply needs at least (from its start) before it is worth decoding again. */
  private needed = 0;
  /** A bulk body being copied to its decoder's target as it arrives (see ReplyDecoder.bulkTarget). */
  private stream: { target: Uint8Array; at: number; crlfLeft: number } | undefined;

  constructor(readonly decoder: ReplyDecoder) {}

  /** Bytes held of a reply that has not arrived whole. */
  get bufferedBytes(): number {
    return this.leftover;
  }

  /** Feeds the next chunk; returns the number of replies it completed. Throws on bytes that are not RESP2. */
  push(chunk: Uint8Array): number {
    let buffer = chunk;
    let streamed = 0;
    if (this.stream !== undefined) {
      const used = this.feedStream(chunk, 0);
      if (this.stream !== undefined) return 0;
      streamed = 1;
      this.replies++;
      buffer = chunk.subarray(used);
    }
    if (this.leftover > 0) {
      const total = this.leftover + chunk.length;
      if (total > this.scratch.length) {
        const grown = new Uint8Array(Math.max(this.scratch.length * 2, total));
        grown.set(this.scratch.subarray(0, this.leftover));
        this.scratch = grown;
      }
      this.scratch.set(chunk, this.leftover);
      buffer = this.scratch.subarray(0, total);
      if (total < this.needed) {
        this.leftover = total; // a large value still arriving: wait for it instead of reading the reply again
        return 0;
      }
    }
    const decoder = this.decoder;
    let position = 0;
    let decoded = 0;
    while (position < buffer.length) {
      const next = decoder.decode(buffer, position);
      if (next < 0) {
        const streamedTo =
          decoder.bulkTarget === undefined ? -1 : this.startStream(buffer, position, this.replies + decoded);
        if (streamedTo < 0) {
          this.needed = -next - position;
          break;
        }
        position = streamedTo;
        if (this.stream !== undefined) break;
      } else position = next;
      decoded++;
    }
    if (position === buffer.length) this.needed = 0;
    this.keepLeftover(buffer, position);
    this.replies += decoded;
    return decoded + streamed;
  }

  /**
   * Starts streaming the bulk reply at `start` when its decoder gives a target: copies what has arrived of
   * the body and returns the offset after what it used (the whole buffer while the body is still coming, with
   * `stream` set), or -1 when the reply is not a streamable bulk string.
   */
  private startStream(buffer: Uint8Array, start: number, index: number): number {
    if (buffer[start] !== DOLLAR) return -1;
    const lineEnd = findLineEnd(buffer, start + 1);
    if (lineEnd < 0) return -1;
    const length = readInteger(buffer, start + 1, lineEnd);
    if (length < 0) return -1;
    const target = this.decoder.bulkTarget!(length, index);
    if (target === undefined) return -1;
    if (target.length !== length)
      throw new Error(`a bulk target of ${target.length} bytes for a ${length}-byte reply`);
    this.stream = { target, at: 0, crlfLeft: 2 };
    return this.feedStream(buffer, lineEnd + 2);
  }

  /** Copies body bytes (then skips the CRLF) from `buffer` at `from`; returns the offset after what it used. */
  private feedStream(buffer: Uint8Array, from: number): number {
    const stream = this.stream!;
    let at = from;
    const body = Math.min(stream.target.length - stream.at, buffer.length - at);
    if (body > 0) {
      stream.target.set(buffer.subarray(at, at + body), stream.at);
      stream.at += body;
      at += body;
    }
    while (stream.crlfLeft > 0 && stream.at === stream.target.length && at < buffer.length) {
      stream.crlfLeft--;
      at++;
    }
    if (stream.at === stream.target.length && stream.crlfLeft === 0) this.stream = undefined;
    return at;
  }

  private keepLeftover(buffer: Uint8Array, position: number): void {
    const rest = buffer.length - position;
    if (rest > 0) {
      if (buffer.buffer === this.scratch.buffer) this.scratch.copyWithin(0, position, buffer.length);
      else {
        if (rest > this.scratch.length)
          this.scratch = new Uint8Array(Math.max(rest, this.scratch.length * 2));
        this.scratch.set(buffer.subarray(position));
      }
    }
    this.leftover = rest;
  }
}

/** An error reply ("-WRONGTYPE ..."), kept apart from a simple string with the same text. */
export class RespErrorReply {
  constructor(readonly message: string) {}
}

/**
 * A RESP2 reply as a JS value: simple and bulk strings as (UTF-8) strings, integers as numbers, nil as null,
 * errors as RespErrorReply, arrays as arrays.
 */
export type RespValue = string | number | null | RespErrorReply | RespValue[];

/** Decodes every reply into a RespValue: for the short replies of writes (integers, OK, QUEUED, EXEC arrays). */
export class RespValueDecoder implements ReplyDecoder {
  constructor(private readonly onReply: (reply: RespValue) => void) {}

  decode(buffer: Uint8Array, start: number): number {
    const parsed = parseValue(asBuffer(buffer), start);
    if (parsed === INCOMPLETE) return -(buffer.length + 1);
    this.onReply(parsed.value);
    return parsed.end;
  }
}

/** A RespReader that gives every reply as a RespValue. */
export function respValueReader(onReply: (reply: RespValue) => void): RespReader {
  return new RespReader(new RespValueDecoder(onReply));
}

/**
 * Frames replies without decoding them: reports each reply's [start, end) in the buffer it was read from
 * (valid until the callback returns: the reader reuses its scratch memory). For a forwarder that passes
 * replies on as bytes (a cluster channel reassembling replies of several nodes).
 */
export class RespFrameDecoder implements ReplyDecoder {
  constructor(private readonly onFrame: (buffer: Uint8Array, start: number, end: number) => void) {}

  decode(buffer: Uint8Array, start: number): number {
    const length = respValueLength(buffer, start);
    if (length < 0) return -(buffer.length + 1);
    this.onFrame(buffer, start, start + length);
    return start + length;
  }
}

/**
 * The byte length of the complete RESP2 value that starts at `offset`, or -1 when `buffer` does not hold all
 * of it yet. Only headers are read: nothing is decoded. Throws on bytes that are not RESP2.
 */
export function respValueLength(buffer: Uint8Array, offset: number): number {
  let at = offset;
  let remaining = 1;
  while (remaining > 0) {
    if (at >= buffer.length) return -1;
    const type = buffer[at]!;
    const lineEnd = findLineEnd(buffer, at + 1);
    if (lineEnd < 0) {
      if (!isReplyType(type)) throw notResp(buffer, at);
      return -1;
    }
    switch (type) {
      case PLUS:
      case MINUS:
      case COLON:
        at = lineEnd + 2;
        remaining--;
        break;
      case DOLLAR: {
        const length = readInteger(buffer, at + 1, lineEnd);
        const end = length < 0 ? lineEnd + 2 : lineEnd + 2 + length + 2;
        if (end > buffer.length) return -1;
        at = end;
        remaining--;
        break;
      }
      case STAR:
        remaining += Math.max(0, readInteger(buffer, at + 1, lineEnd)) - 1;
        at = lineEnd + 2;
        break;
      default:
        throw notResp(buffer, at);
    }
  }
  return at - offset;
}

const INCOMPLETE = Symbol("incomplete");
type Parsed = { value: RespValue; end: number } | typeof INCOMPLETE;

function parseValue(buffer: Buffer, at: number): Parsed {
  const lineEnd = findLineEnd(buffer, at + 1);
  if (lineEnd < 0) {
    if (at < buffer.length && !isReplyType(buffer[at]!)) throw notResp(buffer, at);
    return INCOMPLETE;
  }
  const type = buffer[at];
  const afterLine = lineEnd + 2;
  switch (type) {
    case PLUS:
      return { value: simpleString(buffer, at + 1, lineEnd), end: afterLine };
    case MINUS:
      return { value: new RespErrorReply(buffer.toString("utf8", at + 1, lineEnd)), end: afterLine };
    case COLON:
      return { value: readInteger(buffer, at + 1, lineEnd), end: afterLine };
    case DOLLAR: {
      const length = readInteger(buffer, at + 1, lineEnd);
      if (length < 0) return { value: null, end: afterLine };
      const end = afterLine + length + 2;
      if (end > buffer.length) return INCOMPLETE;
      return { value: buffer.toString("utf8", afterLine, afterLine + length), end };
    }
    case STAR: {
      const count = readInteger(buffer, at + 1, lineEnd);
      if (count < 0) return { value: null, end: afterLine };
      const items: RespValue[] = new Array(count);
      let end = afterLine;
      for (let index = 0; index < count; index++) {
        if (end >= buffer.length) return INCOMPLETE;
        const item = parseValue(buffer, end);
        if (item === INCOMPLETE) return INCOMPLETE;
        items[index] = item.value;
        end = item.end;
      }
      return { value: items, end };
    }
    default:
      throw notResp(buffer, at);
  }
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function isReplyType(type: number): boolean {
  return type === PLUS || type === MINUS || type === COLON || type === DOLLAR || type === STAR;
}

function notResp(buffer: Uint8Array, at: number): Error {
  const text = asBuffer(buffer).toString("latin1", at, Math.min(at + 40, buffer.length));
  return new Error(`not a RESP2 reply: byte 0x${(buffer[at] ?? 0).toString(16)} at the start of "${text}"`);
}

/** The index of the CR that ends the line starting at `from` (its LF must have arrived too), or -1. */
export function findLineEnd(buffer: Uint8Array, from: number): number {
  const last = buffer.length - 1;
  for (let index = from; index < last; index++) if (buffer[index] === CR) return index;
  return -1;
}

/** "OK" and "QUEUED" (a transaction answers one per command) as shared strings; others decoded. */
function simpleString(buffer: Buffer, from: number, to: number): string {
  const length = to - from;
  if (length === 2 && buffer[from] === 0x4f && buffer[from + 1] === 0x4b) return "OK";
  if (length === QUEUED_BYTES.length && QUEUED_BYTES.every((byte, i) => buffer[from + i] === byte))
    return "QUEUED";
  return buffer.toString("utf8", from, to);
}

/** The decimal integer in [from, to) (a RESP header or integer reply), negative ones included. */
export function readInteger(buffer: Uint8Array, from: number, to: number): number {
  let negative = false;
  let index = from;
  if (buffer[index] === MINUS) {
    negative = true;
    index++;
  }
  let value = 0;
  for (; index < to; index++) value = value * 10 + (buffer[index]! - 48);
  return negative ? -value : value;
}

const QUEUED_BYTES = [0x51, 0x55, 0x45, 0x55, 0x45, 0x44]; // "QUEUED"
const CR = 0x0d;
const PLUS = 0x2b;
const MINUS = 0x2d;
const COLON = 0x3a;
const DOLLAR = 0x24;
const STAR = 0x2a;
