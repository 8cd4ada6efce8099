import { daysFromCivil } from "./civil-date.js";
import { ISO_DATETIME, isValidIsoMatch } from "./parse-datetime.js";

const INTEGER = /^[+-]?\d{1,9}$/;

export interface ParseDateOptions {
  /** Read a bare integer as days since 1970-01-01. [true] */
  readonly allowEpochDays?: boolean;
}

/**
 * Reads a calendar date as days since 1970-01-01: `YYYY-MM-DD` (checked: `2024-02-30` is rejected), the date
 * part of an ISO date-time as written (`2024-01-15T23:30:00-05:00` → 2024-01-15), or an integer count of
 * epoch days. Returns `undefined` when the text is not a date.
 */
export function parseDate(text: string, options: ParseDateOptions = {}): number | undefined {
  const match = ISO_DATETIME.exec(text);
  if (match) {
    if (!isValidIsoMatch(match)) return undefined;
    return daysFromCivil(Number(match[1]), Number(match[2]), Number(match[3]));
  }
  if ((options.allowEpochDays ?? true) && INTEGER.test(text)) return Number(text);
  return undefined;
}
