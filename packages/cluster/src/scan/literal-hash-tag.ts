import { keySlot } from "../commands/key-slot.js";

/**
 * The one slot every key matching `pattern` hashes to, when the pattern starts with a literal hash tag such
 * as "{user:42}:*": then one node holds them all and only it is scanned. Undefined otherwise.
 */
export function slotOfLiteralHashTag(pattern: string): number | undefined {
  const open = pattern.indexOf("{");
  if (open < 0) return undefined;
  const close = pattern.indexOf("}", open + 1);
  if (close <= open + 1) return undefined;
  // Everything up to the closing brace must be literal, or matching keys could have their tag elsewhere.
  if (/[*?[\\]/.test(pattern.slice(0, close + 1))) return undefined;
  return keySlot(pattern.slice(0, close + 1));
}
