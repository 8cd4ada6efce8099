const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

const SPECIAL: Readonly<Record<string, number>> = {
  inf: Number.POSITIVE_INFINITY,
  "+inf": Number.POSITIVE_INFINITY,
  infinity: Number.POSITIVE_INFINITY,
  "+infinity": Number.POSITIVE_INFINITY,
  "-inf": Number.NEGATIVE_INFINITY,
  "-infinity": Number.NEGATIVE_INFINITY,
  nan: Number.NaN,
  "+nan": Number.NaN,
  "-nan": Number.NaN,
};

/**
 * Reads a decimal floating-point number (`42`, `-1.5`, `.5`, `1e-5`), or `inf` / `-inf` / `infinity` /
 * `nan` in any case (Redis writes sorted-set scores as `inf`). No surrounding spaces, no hex, no empty string
 * (which `Number()` would turn into 0). Returns `undefined` when the text is not a number.
 */
export function parseFloat64(text: string): number | undefined {
  if (DECIMAL.test(text)) return Number(text);
  if (text.length > 9) return undefined;
  return SPECIAL[text.toLowerCase()];
}
