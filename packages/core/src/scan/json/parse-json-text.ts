/** Integer literals of 16+ digits may lie beyond 2^53, where JSON.parse would round them. */
const LONG_DIGIT_RUN = /\d{16}/;

/**
 * JSON.parse, except that integers beyond Number.MAX_SAFE_INTEGER come back as exact bigints instead of
 * rounded numbers (RedisJSON stores 64-bit integers exactly; 9007199254740993 must not read as ...992).
 * Documents without a 16-digit run take the plain JSON.parse path, so the common case costs nothing extra.
 */
export function parseJsonText(text: string): unknown {
  if (!LONG_DIGIT_RUN.test(text)) return JSON.parse(text);
  // The marker starts with a NUL character, which JSON text can only hold escaped: no document string can
  // collide with it by accident, and the random part rules out a deliberate collision.
  const tag = `big${Math.random().toString(36).slice(2)}:`;
  const marker = `\u0000${tag}`;
  const marked = quoteLongIntegers(text, `\\u0000${tag}`);
  if (marked === text) return JSON.parse(text);
  return JSON.parse(marked, (_key, value: unknown) =>
    typeof value === "string" && value.startsWith(marker) ? BigInt(value.slice(marker.length)) : value,
  );
}

/** Wraps unsafe integer literals (outside strings) in quotes with `escapedMarker` (JSON-escaped) in front. */
function quoteLongIntegers(text: string, escapedMarker: string): string {
  let out = "";
  let copiedUpTo = 0;
  let index = 0;
  while (index < text.length) {
    const char = text.charCodeAt(index);
    if (char === 34 /* " */) {
      index++;
      while (index < text.length) {
        const inner = text.charCodeAt(index);
        if (inner === 92 /* \ */) index += 2;
        else if (inner === 34) break;
        else index++;
      }
      index++;
      continue;
    }
    if (char === 45 /* - */ || (char >= 48 && char <= 57)) {
      const start = index;
      index++;
      while (index < text.length && isNumberChar(text.charCodeAt(index))) index++;
      const literal = text.slice(start, index);
      if (/^-?\d{16,}$/.test(literal) && !Number.isSafeInteger(Number(literal))) {
        out += `${text.slice(copiedUpTo, start)}"${escapedMarker}${literal}"`;
        copiedUpTo = index;
      }
      continue;
    }
    index++;
  }
  return copiedUpTo === 0 ? text : out + text.slice(copiedUpTo);
}

function isNumberChar(code: number): boolean {
  return (
    (code >= 48 && code <= 57) || code === 46 || code === 101 || code === 69 || code === 43 || code === 45
  );
}
