/** The middle value (mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error("median of no values");
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Rows per second for `rows` rows in `milliseconds`. */
export function rowsPerSecond(rows: number, milliseconds: number): number {
  return milliseconds > 0 ? (rows / milliseconds) * 1000 : 0;
}
