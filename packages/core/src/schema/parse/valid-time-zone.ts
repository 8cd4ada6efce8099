import { isValidTimeZone } from "../dtype.js";

const known = new Map<string, boolean>();

/** isValidTimeZone, remembered: zone names in data repeat, and Intl construction is slow. */
export function isValidTimeZoneCached(timeZone: string): boolean {
  let valid = known.get(timeZone);
  if (valid === undefined) {
    valid = isValidTimeZone(timeZone);
    if (known.size < 10_000) known.set(timeZone, valid);
  }
  return valid;
}
