import { RespEncoder } from "../../../resp/encoder.js";
import type { KeyPage } from "./key-page.js";

/**
 * Encodes `HGETALL <key>` or `HMGET <key> <fields...>` for every key of a page with core's RespEncoder: the
 * fixed parts are encoded once and copied, the keys straight from the page's bytes, so a page of 1000
 * commands costs no string per command.
 */
export class HashCommandEncoder {
  private readonly head: Buffer;
  private readonly tail: Buffer;
  private readonly encoder = new RespEncoder(64 * 1024);

  constructor(fields: readonly string[] | undefined) {
    const name = fields === undefined ? "HGETALL" : "HMGET";
    const argumentCount = 2 + (fields?.length ?? 0);
    this.head = Buffer.from(`*${argumentCount}\r\n$${name.length}\r\n${name}\r\n`);
    this.tail = Buffer.from(
      (fields ?? []).map((field) => `$${Buffer.byteLength(field)}\r\n${field}\r\n`).join(""),
    );
  }

  encode(page: KeyPage): Buffer {
    const encoder = this.encoder;
    const { bytes, offsets } = page;
    const hasTail = this.tail.length > 0;
    for (let i = 0; i < page.count; i++) {
      encoder.raw(this.head);
      encoder.bytesOf(bytes, offsets[i]!, offsets[i + 1]!);
      if (hasTail) encoder.raw(this.tail);
    }
    encoder.countCommands(page.count);
    return encoder.take();
  }
}
