/** An error reply ("-WRONGTYPE ..."), kept apart from a simple string with the same text. */
export class RespErrorReply {
  constructor(readonly message: string) {}
}

/**
 * A RESP2 reply as the reader gives it: simple and bulk strings as (UTF-8) strings, integers as numbers,
 * nil as null, errors as RespErrorReply, arrays as arrays.
 */
export type RespValue = string | number | null | RespErrorReply | RespValue[];

const INCOMPLETE = Symbol("incomplete");
type Parsed = { value: RespValue; end: number } | typeof INCOMPLETE;

/**
 * Splits a RESP2 byte stream into whole replies, whatever the chunk boundaries. Meant for the short replies
 * of writes (integers, OK, QUEUED, EXEC arrays): a reply cut by a chunk boundary is parsed again from its start
 * once the next chunk arrives, which is cheap for short replies and would not be for huge ones.
 */
export class RespReplyReader {
  private pending: Buffer | undefined;

  constructor(private readonly onReply: (reply: RespValue) => void) {}

  /** Feeds the next chunk; calls onReply for every reply completed by it. Throws on bytes that are not RESP2. */
  push(chunk: Buffer): void {
    const buffer = this.pending === undefined ? chunk : Buffer.concat([this.pending, chunk]);
    let at = 0;
    while (at < buffer.length) {
      const parsed = parseReply(buffer, at);
      if (parsed === INCOMPLETE) break;
      at = parsed.end;
      this.onReply(parsed.value);
    }
    this.pending = at < buffer.length ? Buffer.from(buffer.subarray(at)) : undefined;
  }
}

function parseReply(buffer: Buffer, at: number): Parsed {
  const lineEnd = findLineEnd(buffer, at + 1);
  if (lineEnd < 0) return INCOMPLETE;
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
        const item = parseReply(buffer, end);
        if (item === INCOMPLETE) return INCOMPLETE;
        items[index] = item.value;
        end = item.end;
      }
      return { value: items, end };
    }
    default:
      throw new Error(
        `not a RESP2 reply: byte 0x${(type ?? 0).toString(16)} at the start of "${buffer.toString("latin1", at, Math.min(at + 40, buffer.length))}"`,
      );
  }
}

/** The index of the "\r\n" ending the line that starts at `from`, or -1 (a byte loop beats indexOf on short lines). */
function findLineEnd(buffer: Buffer, from: number): number {
  for (let index = from; index < buffer.length - 1; index++) {
    if (buffer[index] === CR && buffer[index + 1] === LF) return index;
  }
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

function readInteger(buffer: Buffer, from: number, to: number): number {
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
const LF = 0x0a;
const PLUS = 0x2b;
const MINUS = 0x2d;
const COLON = 0x3a;
const DOLLAR = 0x24;
const STAR = 0x2a;
