const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/**
 * Reads a decimal integer: an optional sign and digits, nothing else (no spaces, exponents, underscores or
 * hex), within the Int64 range. Safe integers come back as numbers, larger ones as bigints; anything else as
 * `undefined`.
 *
 * An integral decimal ("51.0", "-3.00") reads as that integer: it is how Polars writes an integral Float64, so
 * a frame built from JS numbers (Float64) and written with writeHashes reads back with `pl.Int64` (decision
 * 0162). A fraction that is not zero ("51.5") is still an error: nothing is rounded.
 */
export function parseInt64(text: string): number | bigint | undefined {
  const point = text.indexOf(".");
  if (point < 0) return parseDigits(text);
  if (point === text.length - 1) return undefined;
  for (let i = point + 1; i < text.length; i++) if (text.charCodeAt(i) !== 48 /* 0 */) return undefined;
  const integral = text.slice(0, point);
  const value = parseDigits(integral);
  // "-0.0" is 0; "+.0" / ".0" have no digits and are refused by parseDigits.
  return value === 0 ? 0 : value;
}

function parseDigits(text: string): number | bigint | undefined {
  const length = text.length;
  let start = 0;
  const first = text.charCodeAt(0);
  if (first === 45 /* - */ || first === 43 /* + */) start = 1;
  if (length === start || length - start > 19) return undefined;
  if (length - start <= 15) {
    // Up to 15 digits is always a safe integer: compute it without allocating.
    let value = 0;
    for (let i = start; i < length; i++) {
      const digit = text.charCodeAt(i) - 48;
      if (digit < 0 || digit > 9) return undefined;
      value = value * 10 + digit;
    }
    return first === 45 ? -value : value;
  }
  for (let i = start; i < length; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return undefined;
  }
  const big = BigInt(text);
  if (big < INT64_MIN || big > INT64_MAX) return undefined;
  const asNumber = Number(big);
  return Number.isSafeInteger(asNumber) ? asNumber : big;
}

/** Like parseInt64, within the Int32 range. */
export function parseInt32(text: string): number | undefined {
  if (text.length > 11 && text.indexOf(".") < 0) return undefined;
  const value = parseInt64(text);
  return typeof value === "number" && value >= INT32_MIN && value <= INT32_MAX ? value : undefined;
}
