/** Throws a RangeError unless `value` is a whole number >= 0 (generator sizes). */
export function checkCount(value: number, name = "count"): void {
  if (!Number.isInteger(value) || value < 0)
    throw new RangeError(`${name} must be an integer >= 0, got ${value}`);
}
