const CR = 0x0d;

/** Parses the decimal integer written between `start` and `end` (an optional leading "-"). */
function parseLength(buffer: Buffer, start: number, end: number): number {
  let negative = false;
  let at = start;
  if (buffer[at] === 0x2d) {
    negative = true;
    at++;
  }
  let value = 0;
  for (; at < end; at++) value = value * 10 + (buffer[at]! - 0x30);
  return negative ? -value : value;
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
    const lineEnd = buffer.indexOf(CR, at + 1);
    if (lineEnd < 0 || lineEnd + 1 >= buffer.length) return -1;
    switch (type) {
      case 0x2b: // '+'
      case 0x2d: // '-'
      case 0x3a: // ':'
        at = lineEnd + 2;
        remaining--;
        break;
      case 0x24: {
        // '$'
        const length = parseLength(buffer, at + 1, lineEnd);
        const end = length < 0 ? lineEnd + 2 : lineEnd + 2 + length + 2;
        if (end > buffer.length) return -1;
        at = end;
        remaining--;
        break;
      }
      case 0x2a: {
        // '*'
        const count = parseLength(buffer, at + 1, lineEnd);
        at = lineEnd + 2;
        remaining += Math.max(0, count) - 1;
        break;
      }
      default:
        throw new Error(`RESP protocol error: unexpected byte 0x${type.toString(16)} at offset ${at}`);
    }
  }
  return at - offset;
}

/** Every element of a RESP command (`*N $len arg ...`), as views into `command` (no copies). */
export function commandElements(command: Buffer): Buffer[] {
  const countEnd = command.indexOf(CR, 1);
  const count = parseLength(command, 1, countEnd);
  const elements: Buffer[] = [];
  let at = countEnd + 2;
  for (let i = 0; i < count; i++) {
    const headerEnd = command.indexOf(CR, at + 1);
    const start = headerEnd + 2;
    const end = start + parseLength(command, at + 1, headerEnd);
    elements.push(command.subarray(start, end));
    at = end + 2;
  }
  return elements;
}

/** The command name (the first element) of a RESP command, as a view into it. */
export function commandName(command: Buffer): Buffer {
  const countEnd = command.indexOf(CR, 1);
  const at = countEnd + 2;
  const headerEnd = command.indexOf(CR, at + 1);
  const start = headerEnd + 2;
  return command.subarray(start, start + parseLength(command, at + 1, headerEnd));
}

/**
 * Where the first argument after the command name sits in a RESP command (`*N $len name $len key ...`), as
 * [start, end) byte offsets, or undefined for a command without arguments.
 */
export function firstArgumentRange(command: Buffer): [number, number] | undefined {
  const countEnd = command.indexOf(CR, 1);
  if (parseLength(command, 1, countEnd) < 2) return undefined;
  let at = countEnd + 2;
  const nameHeaderEnd = command.indexOf(CR, at + 1);
  at = nameHeaderEnd + 2 + parseLength(command, at + 1, nameHeaderEnd) + 2;
  const keyHeaderEnd = command.indexOf(CR, at + 1);
  const start = keyHeaderEnd + 2;
  return [start, start + parseLength(command, at + 1, keyHeaderEnd)];
}
