import type { KeyPage } from "./key-page.js";

/**
 * Encodes `HGETALL <key>` or `HMGET <key> <fields...>` for every key of a page into one Buffer of RESP:
 * the fixed parts are encoded once and copied, so a page of 1000 commands costs one allocation, no strings.
 */
export class HashCommandEncoder {
  private readonly head: Buffer;
  private readonly tail: Buffer;

  constructor(fields: readonly string[] | undefined) {
    const name = fields === undefined ? "HGETALL" : "HMGET";
    const argumentCount = 2 + (fields?.length ?? 0);
    this.head = Buffer.from(`*${argumentCount}\r\n$${name.length}\r\n${name}\r\n`);
    this.tail = Buffer.from(
      (fields ?? []).map((field) => `$${Buffer.byteLength(field)}\r\n${field}\r\n`).join(""),
    );
  }

  encode(page: KeyPage): Buffer {
    const out = Buffer.allocUnsafe(
      page.count * (this.head.length + this.tail.length + 16) + page.bytes.length,
    );
    const keys = page.bytes;
    let at = 0;
    for (let i = 0; i < page.count; i++) {
      const start = page.offsets[i]!;
      const end = page.offsets[i + 1]!;
      at += this.head.copy(out, at);
      out[at++] = 0x24; // '$'
      at += out.write(String(end - start), at, "latin1");
      out[at++] = 0x0d;
      out[at++] = 0x0a;
      at += keys.copy(out, at, start, end);
      out[at++] = 0x0d;
      out[at++] = 0x0a;
      at += this.tail.copy(out, at);
    }
    return out.subarray(0, at);
  }
}
