import type { TimeUnit } from "../dtype.js";
import { civilToEpochMs, isValidCivilDate } from "./civil-date.js";
import { wallTimeToEpochMs } from "./time-zone-offset.js";
import { isValidTimeZoneCached } from "./valid-time-zone.js";

/**
 * ISO 8601 / RFC 3339 date-times, with the common relaxations: a space instead of `T`, optional seconds and
 * fraction (up to nanoseconds, `.` or `,`), an offset (`Z`, `+02:00`, `+0200`, `+02`, `UTC`, `GMT`)
 * optionally preceded by a space, and an RFC 9557 zone suffix such as `[Europe/Paris]`.
 */
export const ISO_DATETIME =
  /^([+-]?\d{4,6})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)? ?(Z|z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?(?:\[([^\]]{1,64})\])?$/;
const INTEGER = /^[+-]?\d{1,19}$/;
const DECIMAL_SECONDS = /^([+-]?)(\d{1,10})\.(\d{1,9})$/;

export interface ParseDatetimeOptions {
  /** The unit of the result. ["us"] */
  readonly unit?: TimeUnit;
  /**
   * The zone that wall-clock times without an offset are in (the column's time zone). Times with an offset
   * or a `[zone]` suffix are converted from their own zone. [UTC]
   */
  readonly timeZone?: string | null;
  /**
   * Read bare numbers as Unix epoch times: by magnitude, seconds below 1e10, milliseconds below 1e13,
   * microseconds below 1e16, nanoseconds above; a decimal fraction means seconds. [true]
   */
  readonly allowEpoch?: boolean;
}

/** An instant: whole milliseconds since the epoch plus the nanoseconds within that millisecond. */
export interface Instant {
  readonly epochMs: number;
  readonly nanosOfMs: number;
}

/**
 * Reads a date-time as an instant in UTC. Offsets and zones are applied, never cut off:
 * `2024-01-15T10:30:00+02:00` is 08:30 UTC. Returns `undefined` when the text is not a date-time.
 */
export function parseInstant(text: string, options: ParseDatetimeOptions = {}): Instant | undefined {
  const iso = ISO_DATETIME.exec(text);
  if (iso) return isoInstant(iso, options.timeZone ?? null);
  if (options.allowEpoch ?? true) return epochInstant(text);
  return undefined;
}

/**
 * Reads a date-time as an integer count of `unit` since the epoch (UTC): a number for "ms" and "us", a
 * bigint for "ns". Returns `undefined` when the text is not a date-time or the value does not fit.
 */
export function parseDatetime(text: string, options: ParseDatetimeOptions = {}): number | bigint | undefined {
  const instant = parseInstant(text, options);
  return instant === undefined ? undefined : instantToUnit(instant, options.unit ?? "us");
}

/** Converts an instant to an integer count of `unit` (a bigint for "ns"). Sub-unit digits are dropped. */
export function instantToUnit(instant: Instant, unit: TimeUnit): number | bigint | undefined {
  switch (unit) {
    case "ms":
      return instant.epochMs;
    case "us": {
      const micros = instant.epochMs * 1000 + Math.floor(instant.nanosOfMs / 1000);
      return Number.isSafeInteger(micros) ? micros : undefined;
    }
    case "ns":
      return BigInt(instant.epochMs) * 1_000_000n + BigInt(instant.nanosOfMs);
  }
}

/** True when an ISO_DATETIME match names a real date and time of day. */
export function isValidIsoMatch(match: RegExpExecArray): boolean {
  const hour = match[4] === undefined ? 0 : Number(match[4]);
  const minute = match[5] === undefined ? 0 : Number(match[5]);
  const second = match[6] === undefined ? 0 : Number(match[6]);
  return (
    isValidCivilDate(Number(match[1]), Number(match[2]), Number(match[3])) &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59
  );
}

function isoInstant(match: RegExpExecArray, defaultZone: string | null): Instant | undefined {
  if (!isValidIsoMatch(match)) return undefined;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  const hour = match[4] === undefined ? 0 : Number(match[4]);
  const minute = match[5] === undefined ? 0 : Number(match[5]);
  const second = match[6] === undefined ? 0 : Number(match[6]);
  const fraction = match[7] ?? "";
  const nanos = fraction === "" ? 0 : Number(fraction.padEnd(9, "0"));
  const wallMs = civilToEpochMs(year, month, day, hour, minute, second) + Math.floor(nanos / 1_000_000);
  const nanosOfMs = nanos % 1_000_000;

  const offset = match[8];
  const bracketZone = match[9];
  if (offset !== undefined) {
    const offsetMs = parseOffsetMs(offset);
    if (offsetMs === undefined) return undefined;
    return { epochMs: wallMs - offsetMs, nanosOfMs };
  }
  const zone = bracketZone ?? defaultZone;
  if (zone === null || zone === "UTC") return { epochMs: wallMs, nanosOfMs };
  if (!isValidTimeZoneCached(zone)) return undefined;
  return { epochMs: wallTimeToEpochMs(zone, wallMs), nanosOfMs };
}

function parseOffsetMs(offset: string): number | undefined {
  if (offset === "Z" || offset === "z" || offset === "UTC" || offset === "GMT") return 0;
  const sign = offset[0] === "-" ? -1 : 1;
  const digits = offset.slice(1).replace(":", "");
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  if (hours > 23 || minutes > 59) return undefined;
  return sign * (hours * 60 + minutes) * 60_000;
}

function epochInstant(text: string): Instant | undefined {
  if (INTEGER.test(text)) {
    const big = BigInt(text);
    const magnitude = big < 0n ? -big : big;
    let nanos: bigint;
    if (magnitude < 10_000_000_000n) nanos = big * 1_000_000_000n;
    else if (magnitude < 10_000_000_000_000n) nanos = big * 1_000_000n;
    else if (magnitude < 10_000_000_000_000_000n) nanos = big * 1_000n;
    else nanos = big;
    return fromEpochNanos(nanos);
  }
  const decimal = DECIMAL_SECONDS.exec(text);
  if (decimal) {
    const nanos = BigInt(decimal[2]!) * 1_000_000_000n + BigInt(decimal[3]!.padEnd(9, "0"));
    return fromEpochNanos(decimal[1] === "-" ? -nanos : nanos);
  }
  return undefined;
}

function fromEpochNanos(nanos: bigint): Instant {
  let epochMs = nanos / 1_000_000n;
  let nanosOfMs = nanos % 1_000_000n;
  if (nanosOfMs < 0n) {
    nanosOfMs += 1_000_000n;
    epochMs -= 1n;
  }
  return { epochMs: Number(epochMs), nanosOfMs: Number(nanosOfMs) };
}
