import { civilToEpochMs } from "./civil-date.js";

const formatters = new Map<string, Intl.DateTimeFormat>();
/** Offsets keyed by zone and 15-minute bucket: transitions since 1970 fall on quarter hours. */
const offsetCache = new Map<string, Map<number, number>>();
const BUCKET_MS = 15 * 60_000;
const CACHE_LIMIT = 100_000;
const DAY_MS = 86_400_000;

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      era: "short",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

function computeOffsetMs(timeZone: string, epochMs: number): number {
  const wholeSecond = Math.floor(epochMs / 1000) * 1000;
  const parts = formatterFor(timeZone).formatToParts(new Date(wholeSecond));
  let year = 0;
  let month = 0;
  let day = 0;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let beforeChrist = false;
  for (const part of parts) {
    switch (part.type) {
      case "year":
        year = Number(part.value);
        break;
      case "month":
        month = Number(part.value);
        break;
      case "day":
        day = Number(part.value);
        break;
      case "hour":
        hour = Number(part.value);
        break;
      case "minute":
        minute = Number(part.value);
        break;
      case "second":
        second = Number(part.value);
        break;
      case "era":
        beforeChrist = part.value.startsWith("B");
        break;
    }
  }
  if (beforeChrist) year = 1 - year;
  return civilToEpochMs(year, month, day, hour, minute, second) - wholeSecond;
}

/** The zone's offset from UTC at an instant, in milliseconds (e.g. +3_600_000 for Paris in winter). */
export function timeZoneOffsetMs(timeZone: string, epochMs: number): number {
  if (epochMs < 0) return computeOffsetMs(timeZone, epochMs);
  let cache = offsetCache.get(timeZone);
  if (!cache) {
    cache = new Map();
    offsetCache.set(timeZone, cache);
  }
  const bucket = Math.floor(epochMs / BUCKET_MS);
  let offset = cache.get(bucket);
  if (offset === undefined) {
    offset = computeOffsetMs(timeZone, epochMs);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(bucket, offset);
  }
  return offset;
}

/**
 * The instant at which the zone's clocks show `wallMs` (a wall-clock time encoded as if it were UTC).
 * Ambiguous times (clocks turned back) resolve to the earlier instant; times skipped when clocks jump
 * forward resolve as if the jump had not happened yet (02:30 → 03:30), like Temporal's "compatible" mode.
 */
export function wallTimeToEpochMs(timeZone: string, wallMs: number): number {
  const offsetBefore = timeZoneOffsetMs(timeZone, wallMs - DAY_MS);
  const offsetAfter = timeZoneOffsetMs(timeZone, wallMs + DAY_MS);
  const early = wallMs - Math.max(offsetBefore, offsetAfter);
  const late = wallMs - Math.min(offsetBefore, offsetAfter);
  if (offsetBefore === offsetAfter) return early;
  const earlyValid = timeZoneOffsetMs(timeZone, early) === wallMs - early;
  if (earlyValid) return early;
  const lateValid = timeZoneOffsetMs(timeZone, late) === wallMs - late;
  if (lateValid) return late;
  return wallMs - offsetBefore;
}
