const CR = 0x0d;
const MINUS = 0x2d;
const ZERO = 0x30;

/**
 * Reads the decimal number that starts at `at` and ends at the next CR (RESP header lines are short, so a
 * byte loop beats a native indexOf call). Returns the number and the offset just past its CRLF, or undefined
 * when the line is not complete in `buffer`.
 */
function readHeaderNumber(buffer: Buffer, at: number): { value: number; next: number } | undefined {
  let negative = false;
  if (buffer[at] === MINUS) {
    negative = true;
    at++;
  }
  let value = 0;
  for (; at < buffer.length; at++) {
    const byte = buffer[at]!;
    if (byte === CR) {
      if (at + 1 >= buffer.length) return undefined;
      return { value: negative ? -value : value, next: at + 2 };
    }
    value = value * 10 + (byte - ZERO);
  }
  return undefined;
}

/**
 * The byte length of the complete RESP2 value that starts at `offset`, or -1 when `buffer` does not hold all
 * of it yet. Only lengths are read: nothing is decoded, so framing a reply costs a scan of its headers.
 */
export function respValueLength(buffer: Buffer, offset: number): number {
  let at = offset;
  let remaining = 1;
  while (remaining > 0) {
    if (at >= buffer.length) return -1;
    const type = buffer[at]!;
    switch (type) {
      case 0x2b: // '+'
      case 0x2d: // '-'
      case 0x3a: {
        // ':'
        const lineEnd = buffer.indexOf(CR, at + 1);
        if (lineEnd < 0 || lineEnd + 1 >= buffer.length) return -1;
        at = lineEnd + 2;
        remaining--;
        break;
      }
      case 0x24: {
        // '$'
        const header = readHeaderNumber(buffer, at + 1);
        if (header === undefined) return -1;
        const end = header.value < 0 ? header.next : header.next + header.value + 2;
        if (end > buffer.length) return -1;
        at = end;
        remaining--;
        break;
      }
      case 0x2a: {
        // '*'
        const header = readHeaderNumber(buffer, at + 1);
        if (header === undefined) return -1;
        at = header.next;
        remaining += Math.max(0, header.value) - 1;
        break;
      }
      default:
        throw new Error(`RESP protocol error: unexpected byte 0x${type.toString(16)} at offset ${at}`);
    }
  }
  return at - offset;
}

/** [start, end) of element `index` of a complete RESP command (`*N $len arg ...`), or undefined past the end. */
function elementRange(command: Buffer, index: number): [number, number] | undefined {
  const count = readHeaderNumber(command, 1)!;
  if (index >= count.value) return undefined;
  let at = count.next;
  for (let i = 0; ; i++) {
    const header = readHeaderNumber(command, at + 1)!;
    if (i === index) return [header.next, header.next + header.value];
    at = header.next + header.value + 2;
  }
}

/** Every element of a RESP command, as views into `command` (no copies). */
export function commandElements(command: Buffer): Buffer[] {
  const count = readHeaderNumber(command, 1)!;
  const elements: Buffer[] = [];
  let at = count.next;
  for (let i = 0; i < count.value; i++) {
    const header = readHeaderNumber(command, at + 1)!;
    elements.push(command.subarray(header.next, header.next + header.value));
    at = header.next + header.value + 2;
  }
  return elements;
}

/** The command name (the first element) of a RESP command, as a view into it. */
export function commandName(command: Buffer): Buffer {
  const [start, end] = elementRange(command, 0)!;
  return command.subarray(start, end);
}

/** Where the first argument after the command name sits, as [start, end), or undefined without arguments. */
export function firstArgumentRange(command: Buffer): [number, number] | undefined {
  return elementRange(command, 1);
}
