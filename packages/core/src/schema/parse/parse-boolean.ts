const TRUE_WORDS: ReadonlySet<string> = new Set(["true", "1", "yes", "y", "t", "on"]);
const FALSE_WORDS: ReadonlySet<string> = new Set(["false", "0", "no", "n", "f", "off"]);

/**
 * Reads `true/1/yes/y/t/on` and `false/0/no/n/f/off`, in any case (Python writes `True`/`False`). Returns
 * `undefined` for anything else.
 */
export function parseBoolean(text: string): boolean | undefined {
  if (text.length > 5) return undefined;
  const word = text.toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  return undefined;
}
