import { isUtf8 } from "node:buffer";
import {
  TimeUnit as ArrowTimeUnit,
  Bool,
  type Data,
  type DataType,
  DateDay,
  Float32,
  Float64,
  Int32,
  Int64,
  makeData,
  Timestamp,
  Utf8,
} from "apache-arrow";
import type { ScalarDtype, TimeUnit } from "../schema/dtype.js";
import { civilToEpochMs, daysFromCivil, isValidCivilDate } from "../schema/parse/civil-date.js";
import { parseBoolean } from "../schema/parse/parse-boolean.js";
import { parseDate } from "../schema/parse/parse-date.js";
import { parseDatetime } from "../schema/parse/parse-datetime.js";
import { parseFloat64 } from "../schema/parse/parse-float.js";
import { parseInt32, parseInt64 } from "../schema/parse/parse-integer.js";
import { ByteColumn } from "./byte-column.js";
import { anchorShape } from "./shape-anchors.js";

/**
 * Told about a value that does not convert to the column's dtype. It throws (onError "raise"), or returns
 * and the value becomes null (onError "null"; the caller counts it).
 */
export type InvalidValueHandler = (row: number) => void;

/**
 * Converts a column of stored bytes to Arrow data of the schema's dtype, so that Polars receives the whole
 * frame in one IPC buffer. The canonical spellings (`-42`, `3.25`, `true`, `2024-01-15`) are read straight
 * from the bytes; anything else goes through the scan engine's own parsers, so the fast path accepts and
 * refuses exactly what the engine does.
 */
export function byteColumnToArrow(
  column: ByteColumn,
  dtype: ScalarDtype,
  onInvalid: InvalidValueHandler,
): Data {
  switch (dtype.kind) {
    case "utf8":
    case "categorical":
      return utf8Data(column, onInvalid);
    case "int64":
      return int64Data(column, new Int64(), (text) => parseInt64(text), onInvalid, readSmallInteger);
    case "datetime": {
      const options = { unit: dtype.unit, timeZone: dtype.timeZone };
      const type = new Timestamp(ARROW_UNITS[dtype.unit], dtype.timeZone ?? null);
      const unit = dtype.unit;
      const readCanonical =
        unit === "ns"
          ? undefined
          : (data: Uint8Array, start: number, end: number) => readUtcDatetime(data, start, end, unit);
      return int64Data(column, type, (text) => parseDatetime(text, options), onInvalid, readCanonical);
    }
    case "int32":
      return numberData(column, new Int32(), new Int32Array(column.length), readInt32, onInvalid);
    case "float64":
      return numberData(column, new Float64(), new Float64Array(column.length), readFloat, onInvalid);
    case "float32":
      return numberData(column, new Float32(), new Float32Array(column.length), readFloat, onInvalid);
    case "date":
      return numberData(column, new DateDay(), new Int32Array(column.length), readDate, onInvalid);
    case "boolean":
      return booleanData(column, onInvalid);
  }
}

const ARROW_UNITS: Record<TimeUnit, ArrowTimeUnit> = {
  ms: ArrowTimeUnit.MILLISECOND,
  us: ArrowTimeUnit.MICROSECOND,
  ns: ArrowTimeUnit.NANOSECOND,
};

const TWO_POW_32 = 2 ** 32;
const POWERS_OF_TEN = Array.from({ length: 23 }, (_, i) => 10 ** i);

/** Validity as an Arrow bitmap, or undefined when every row has a value. */
function bitmapOf(validity: Uint8Array, length: number, nullCount: number): Uint8Array | undefined {
  if (nullCount === 0) return undefined;
  const bitmap = new Uint8Array((length + 7) >> 3);
  for (let i = 0; i < length; i++) if (validity[i] === 1) bitmap[i >> 3]! |= 1 << (i & 7);
  return bitmap;
}

function latin1(column: ByteColumn, row: number): string {
  const data = column.data;
  return Buffer.from(data.buffer, data.byteOffset, column.byteLength).toString(
    "latin1",
    column.offsets[row],
    column.offsets[row + 1],
  );
}

function utf8Data(column: ByteColumn, onInvalid: InvalidValueHandler): Data {
  const length = column.length;
  const validity = column.validity;
  let nullCount = column.nullCount;
  const whole = column.data.subarray(0, column.byteLength);
  // One check of the whole buffer, plus "no value starts inside a multi-byte character", proves every value valid.
  if (!isUtf8(whole) || startsInsideCharacter(column)) {
    for (let row = 0; row < length; row++) {
      if (validity[row] === 0) continue;
      const start = column.offsets[row]!;
      const end = column.offsets[row + 1]!;
      if (!isUtf8(whole.subarray(start, end))) {
        onInvalid(row);
        validity[row] = 0;
        nullCount++;
        // Polars checks UTF-8 under null slots too: blank the bytes the null now hides.
        whole.fill(0x20, start, end);
      }
    }
  }
  return makeData({
    type: new Utf8(),
    length,
    nullCount,
    valueOffsets: column.offsets.subarray(0, length + 1),
    data: whole,
    nullBitmap: bitmapOf(validity, length, nullCount),
  });
}

function startsInsideCharacter(column: ByteColumn): boolean {
  const data = column.data;
  for (let row = 0; row < column.length; row++) {
    const start = column.offsets[row]!;
    if (start < column.offsets[row + 1]! && (data[start]! & 0xc0) === 0x80) return true;
  }
  return false;
}

/**
 * Int64 and Datetime: values are written as two 32-bit words (no BigInt per value); the rare value beyond
 * 2^53 comes back from the parser as a bigint and is written through a BigInt64Array view.
 */
function int64Data(
  column: ByteColumn,
  type: DataType,
  parse: (text: string) => number | bigint | undefined,
  onInvalid: InvalidValueHandler,
  readCanonical: ((data: Uint8Array, start: number, end: number) => number | undefined) | undefined,
): Data {
  const length = column.length;
  const words = new Int32Array(length * 2);
  const bigints = new BigInt64Array(words.buffer);
  const { data, offsets, validity } = column;
  let nullCount = column.nullCount;
  for (let row = 0; row < length; row++) {
    if (validity[row] === 0) continue;
    let value: number | bigint | undefined = readCanonical?.(data, offsets[row]!, offsets[row + 1]!);
    if (value === undefined) value = parse(latin1(column, row));
    if (value === undefined) {
      onInvalid(row);
      validity[row] = 0;
      nullCount++;
    } else if (typeof value === "bigint") {
      bigints[row] = value;
    } else {
      const high = Math.floor(value / TWO_POW_32);
      words[row * 2] = value - high * TWO_POW_32; // low word, as unsigned bits
      words[row * 2 + 1] = high;
    }
  }
  return makeData({
    type,
    length,
    nullCount,
    data: bigints,
    nullBitmap: bitmapOf(validity, length, nullCount),
  } as never);
}

function numberData(
  column: ByteColumn,
  type: Int32 | Float64 | Float32 | DateDay,
  values: Int32Array | Float64Array | Float32Array,
  read: (column: ByteColumn, row: number) => number | undefined,
  onInvalid: InvalidValueHandler,
): Data {
  const length = column.length;
  const validity = column.validity;
  let nullCount = column.nullCount;
  for (let row = 0; row < length; row++) {
    if (validity[row] === 0) continue;
    const value = read(column, row);
    if (value === undefined) {
      onInvalid(row);
      validity[row] = 0;
      nullCount++;
    } else values[row] = value;
  }
  return makeData({
    type,
    length,
    nullCount,
    data: values,
    nullBitmap: bitmapOf(validity, length, nullCount),
  } as never);
}

function booleanData(column: ByteColumn, onInvalid: InvalidValueHandler): Data {
  const length = column.length;
  const { data, offsets, validity } = column;
  const bits = new Uint8Array((length + 7) >> 3);
  let nullCount = column.nullCount;
  for (let row = 0; row < length; row++) {
    if (validity[row] === 0) continue;
    const start = offsets[row]!;
    const size = offsets[row + 1]! - start;
    let value: boolean | undefined;
    if (
      size === 4 &&
      data[start] === 0x74 &&
      data[start + 1] === 0x72 &&
      data[start + 2] === 0x75 &&
      data[start + 3] === 0x65
    ) {
      value = true; // "true"
    } else if (
      size === 5 &&
      data[start] === 0x66 &&
      data[start + 1] === 0x61 &&
      data[start + 4] === 0x65 &&
      data[start + 2] === 0x6c &&
      data[start + 3] === 0x73
    ) {
      value = false; // "false"
    } else value = parseBoolean(latin1(column, row));
    if (value === undefined) {
      onInvalid(row);
      validity[row] = 0;
      nullCount++;
    } else if (value) bits[row >> 3]! |= 1 << (row & 7);
  }
  return makeData({
    type: new Bool(),
    length,
    nullCount,
    data: bits,
    nullBitmap: bitmapOf(validity, length, nullCount),
  });
}

/** `-?[0-9]{1,15}`, always a safe integer; undefined for any other spelling (the parser decides those). */
function readSmallInteger(data: Uint8Array, start: number, end: number): number | undefined {
  const negative = data[start] === 0x2d;
  let i = negative ? start + 1 : start;
  if (i === end || end - i > 15) return undefined;
  let value = 0;
  for (; i < end; i++) {
    const digit = data[i]! - 48;
    if (digit < 0 || digit > 9) return undefined;
    value = value * 10 + digit;
  }
  return negative ? -value : value;
}

function readInt32(column: ByteColumn, row: number): number | undefined {
  const value = readSmallInteger(column.data, column.offsets[row]!, column.offsets[row + 1]!);
  if (value !== undefined && value >= -2147483648 && value <= 2147483647) return value;
  return parseInt32(latin1(column, row));
}

/**
 * `-?digits[.digits]` with at most 15 digits in all is exact as (integer / power of ten): both are exact
 * doubles and one division rounds correctly. Other spellings (exponents, inf, nan, ...) go to the parser.
 */
function readFloat(column: ByteColumn, row: number): number | undefined {
  const data = column.data;
  const start = column.offsets[row]!;
  const end = column.offsets[row + 1]!;
  const negative = data[start] === 0x2d;
  let i = negative ? start + 1 : start;
  let mantissa = 0;
  let digits = 0;
  let fractionDigits = -1;
  for (; i < end; i++) {
    const byte = data[i]!;
    if (byte === 0x2e && fractionDigits < 0) {
      fractionDigits = 0;
      continue;
    }
    const digit = byte - 48;
    if (digit < 0 || digit > 9) return parseFloat64(latin1(column, row));
    mantissa = mantissa * 10 + digit;
    digits++;
    if (fractionDigits >= 0) fractionDigits++;
  }
  if (digits === 0 || digits > 15 || fractionDigits === 0) return parseFloat64(latin1(column, row));
  const value = fractionDigits > 0 ? mantissa / POWERS_OF_TEN[fractionDigits]! : mantissa;
  return negative ? -value : value;
}

/**
 * `YYYY-MM-DDTHH:MM:SS[.fraction]Z`, the usual spelling of an instant (and what the writer writes for zoned
 * columns): read from the bytes, in UTC whatever the column's zone, as the parser does. Other forms (offsets,
 * spaces, bare dates, epochs, zone names) go to the parser.
 */
function readUtcDatetime(
  data: Uint8Array,
  start: number,
  end: number,
  unit: "ms" | "us",
): number | undefined {
  const size = end - start;
  if (size < 20 || size > 30 || data[end - 1] !== 0x5a /* Z */) return undefined;
  if (data[start + 4] !== 0x2d || data[start + 7] !== 0x2d || data[start + 10] !== 0x54) return undefined;
  if (data[start + 13] !== 0x3a || data[start + 16] !== 0x3a) return undefined;
  const year = digitsAt(data, start, 4);
  const month = digitsAt(data, start + 5, 2);
  const day = digitsAt(data, start + 8, 2);
  const hour = digitsAt(data, start + 11, 2);
  const minute = digitsAt(data, start + 14, 2);
  const second = digitsAt(data, start + 17, 2);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return undefined;
  let nanos = 0;
  const fractionDigits = size - 21; // after "SS" come "." + digits, then "Z"
  if (size > 20) {
    if (data[start + 19] !== 0x2e || fractionDigits < 1 || fractionDigits > 9) return undefined;
    const fraction = digitsAt(data, start + 20, fractionDigits);
    if (fraction < 0) return undefined;
    nanos = fraction * POWERS_OF_TEN[9 - fractionDigits]!;
  }
  if (!isValidCivilDate(year, month, day) || hour > 23 || minute > 59 || second > 59) return undefined;
  const epochMs = civilToEpochMs(year, month, day, hour, minute, second) + Math.floor(nanos / 1_000_000);
  if (unit === "ms") return epochMs;
  const micros = epochMs * 1000 + Math.floor((nanos % 1_000_000) / 1000);
  return Number.isSafeInteger(micros) ? micros : undefined;
}

/** `YYYY-MM-DD` read from the bytes (checked as a real calendar date); other forms go to the parser. */
function readDate(column: ByteColumn, row: number): number | undefined {
  const data = column.data;
  const start = column.offsets[row]!;
  if (column.offsets[row + 1]! - start === 10 && data[start + 4] === 0x2d && data[start + 7] === 0x2d) {
    const year = digitsAt(data, start, 4);
    const month = digitsAt(data, start + 5, 2);
    const day = digitsAt(data, start + 8, 2);
    if (year >= 0 && month >= 0 && day >= 0) {
      return isValidCivilDate(year, month, day) ? daysFromCivil(year, month, day) : undefined;
    }
  }
  return parseDate(latin1(column, row));
}

function digitsAt(data: Uint8Array, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i++) {
    const digit = data[i]! - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

// One live Arrow column of each dtype (with and without nulls) keeps the maps of Arrow's Data and types, and
// the optimized code that makes them, across full collections (shape-anchors.ts).
const SAMPLE_DTYPES: readonly ScalarDtype[] = [
  { kind: "utf8" },
  { kind: "int64" },
  { kind: "int32" },
  { kind: "float64" },
  { kind: "float32" },
  { kind: "date" },
  { kind: "boolean" },
  { kind: "datetime", unit: "ms", timeZone: null },
  { kind: "datetime", unit: "us", timeZone: "UTC" },
];
for (const dtype of SAMPLE_DTYPES) {
  const withNull = new ByteColumn(1, 1);
  withNull.appendNull();
  anchorShape(byteColumnToArrow(withNull, dtype, () => {}));
  anchorShape(byteColumnToArrow(new ByteColumn(1, 1), dtype, () => {}));
}
