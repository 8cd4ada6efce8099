const STAR = 0x2a;
const QUESTION = 0x3f;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const CARET = 0x5e;
const BACKSLASH = 0x5c;
const DASH = 0x2d;

/**
 * Redis's own glob matching (util.c stringmatchlen), byte for byte, so keys read back with
 * CLUSTER GETKEYSINSLOT are filtered exactly as SCAN MATCH would have filtered them.
 */
export function createGlobMatcher(pattern: string): (key: Buffer | string) => boolean {
  if (pattern === "*") return () => true;
  const patternBytes = Buffer.from(pattern, "utf8");
  return (key) => {
    const state = { skipLongerMatches: false };
    return matchAt(patternBytes, 0, typeof key === "string" ? Buffer.from(key, "utf8") : key, 0, state, 0);
  };
}

function matchAt(
  pattern: Uint8Array,
  p: number,
  text: Uint8Array,
  s: number,
  state: { skipLongerMatches: boolean },
  nesting: number,
): boolean {
  if (nesting > 1000) return false; // the server's guard against abusive patterns
  const patternEnd = pattern.length;
  const textEnd = text.length;
  while (p < patternEnd && s < textEnd) {
    const token = pattern[p]!;
    if (token === STAR) {
      while (p + 1 < patternEnd && pattern[p + 1] === STAR) p++;
      if (p + 1 === patternEnd) return true;
      while (s < textEnd) {
        if (matchAt(pattern, p + 1, text, s, state, nesting + 1)) return true;
        if (state.skipLongerMatches) return false;
        s++;
      }
      // No match for the rest from anywhere here on: earlier stars cannot help either.
      state.skipLongerMatches = true;
      return false;
    }
    if (token === QUESTION) {
      s++;
    } else if (token === OPEN_BRACKET) {
      p++;
      const negate = pattern[p] === CARET;
      if (negate) p++;
      let matched = false;
      for (;;) {
        if (pattern[p] === BACKSLASH && patternEnd - p >= 2) {
          p++;
          if (pattern[p] === text[s]) matched = true;
        } else if (pattern[p] === CLOSE_BRACKET) {
          break;
        } else if (p >= patternEnd) {
          p--;
          break;
        } else if (patternEnd - p >= 3 && pattern[p + 1] === DASH) {
          let start = pattern[p]!;
          let end = pattern[p + 2]!;
          if (start > end) [start, end] = [end, start];
          p += 2;
          const c = text[s]!;
          if (c >= start && c <= end) matched = true;
        } else if (pattern[p] === text[s]) {
          matched = true;
        }
        p++;
      }
      if (negate) matched = !matched;
      if (!matched) return false;
      s++;
    } else {
      if (token === BACKSLASH && patternEnd - p >= 2) p++;
      if (pattern[p] !== text[s]) return false;
      s++;
    }
    p++;
    if (s === textEnd) {
      while (p < patternEnd && pattern[p] === STAR) p++;
      break;
    }
  }
  return p === patternEnd && s === textEnd;
}
