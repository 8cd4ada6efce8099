const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/**
 * Reads a decimal integer: an optional sign and digits, nothing else (no spaces, decimals, exponents,
 * underscores or hex), within the Int64 range. Safe integers come back as numbers, larger ones as bigints;
 * anything else as `undefined`.
 */
export function parseInt64(text: string): number | bigint | undefined {
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
  if (text.length > 11) return undefined;
  const value = parseInt64(text);
  return typeof value === "number" && value >= INT32_MIN && value <= INT32_MAX ? value : undefined;
}
