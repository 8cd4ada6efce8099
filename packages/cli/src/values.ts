import { usageError } from "./cli-error.js";

/** An integer option (`--limit 10`), or undefined when not given; a usage error when it is not one. */
export function parseInteger(
  value: unknown,
  option: string,
  range: { min?: number; max?: number } = {},
): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value).trim();
  const number = /^-?\d+$/.test(text) ? Number(text) : Number.NaN;
  const min = range.min ?? Number.MIN_SAFE_INTEGER;
  const max = range.max ?? Number.MAX_SAFE_INTEGER;
  if (!Number.isSafeInteger(number) || number < min || number > max) {
    const bounds = range.max === undefined ? `>= ${min}` : `from ${min} to ${max}`;
    throw usageError(`${option} expects an integer ${bounds}, got ${JSON.stringify(value)}`);
  }
  return number;
}

/** `--columns a,b` → ["a", "b"]. */
export function parseList(value: unknown, option: string): string[] | undefined {
  if (value === undefined) return undefined;
  const items = String(value)
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
  if (items.length === 0)
    throw usageError(`${option} expects a comma-separated list, got ${JSON.stringify(value)}`);
  return items;
}

/** One of a fixed set of words. */
export function parseChoice<T extends string>(
  value: unknown,
  option: string,
  choices: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if (!choices.includes(value as T)) {
    throw usageError(`${option} expects one of ${choices.join(", ")}, got ${JSON.stringify(value)}`);
  }
  return value as T;
}

export function stringOption(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** "1 key", "3 keys". */
export function plural(count: number, word: string, many = `${word}s`): string {
  return `${count} ${count === 1 ? word : many}`;
}
