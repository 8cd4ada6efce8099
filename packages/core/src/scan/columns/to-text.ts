/**
 * The text of a value that is about to be parsed as a number, boolean or date. Those are ASCII, and
 * latin1 decoding is the cheapest; a non-ASCII value decodes to something that fails the parse, as it must.
 */
export function toText(raw: Buffer | string): string {
  return typeof raw === "string" ? raw : raw.toString("latin1");
}

/** The UTF-8 text of a value, for messages (errors show the value as it is stored). */
export function toDisplayText(raw: Buffer | string): string {
  return typeof raw === "string" ? raw : raw.toString("utf8");
}
