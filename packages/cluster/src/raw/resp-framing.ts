// Requests this package built itself (complete, well formed); replies are framed by core's respValueLength.
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
