/**
 * JSON text of a value that may hold bigints (exact 64-bit integers from parseJsonText). JSON.stringify throws
 * on bigints; this writes them as plain integer literals.
 */
export function toJsonText(value: unknown): string {
  if (value === null || value === undefined) return "null";
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "number":
      return Number.isFinite(value) ? String(value) : "null";
    case "bigint":
      return value.toString();
    case "boolean":
      return value ? "true" : "false";
    case "object": {
      if (Array.isArray(value)) return `[${value.map(toJsonText).join(",")}]`;
      const parts: string[] = [];
      for (const [name, child] of Object.entries(value as Record<string, unknown>)) {
        if (child !== undefined) parts.push(`${JSON.stringify(name)}:${toJsonText(child)}`);
      }
      return `{${parts.join(",")}}`;
    }
    default:
      return "null";
  }
}

/**
 * The text a flat column's parser reads for a JSON value: a string as it is, a number, bigint or boolean as
 * its JSON literal, an array or object as JSON text (which only a Utf8 column accepts).
 */
export function leafText(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return toJsonText(value);
}
