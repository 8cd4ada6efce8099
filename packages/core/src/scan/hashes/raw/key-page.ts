/** The keys of one page of commands, in command order: their UTF-8 bytes back to back, and int32 offsets. */
export interface KeyPage {
  readonly keys: readonly string[];
  readonly bytes: Buffer;
  readonly offsets: Int32Array;
  readonly count: number;
}

/** Encodes a page of keys once; the bytes serve both the commands and the key column. */
export function toKeyPage(keys: readonly string[]): KeyPage {
  const joined = keys.join("");
  const bytes = Buffer.from(joined, "utf8");
  const offsets = new Int32Array(keys.length + 1);
  // All-ASCII keys (the usual case): byte offsets are character offsets.
  const ascii = bytes.length === joined.length;
  let at = 0;
  for (let i = 0; i < keys.length; i++) {
    at += ascii ? keys[i]!.length : Buffer.byteLength(keys[i]!);
    offsets[i + 1] = at;
  }
  return { keys, bytes, offsets, count: keys.length };
}
