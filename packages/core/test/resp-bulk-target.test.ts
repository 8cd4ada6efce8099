import { describe, expect, it } from "vitest";
import { type ReplyDecoder, RespReader, type RespValue, RespValueDecoder } from "../src/internal.js";

/**
 * RespReader's bulk targets: a decoder that names where a bulk string's body goes gets it copied there as it
 * arrives, whatever the chunk boundaries, and every other reply decoded as usual around it.
 */
class TargetDecoder implements ReplyDecoder {
  readonly values: RespValue[] = [];
  readonly targets: Buffer[] = [];
  private readonly inner = new RespValueDecoder((value) => this.values.push(value));
  constructor(private readonly streamAbove: number) {}
  decode(buffer: Uint8Array, start: number): number {
    return this.inner.decode(buffer, start);
  }
  bulkTarget(length: number, index: number): Uint8Array | undefined {
    if (length < this.streamAbove) return undefined;
    const target = Buffer.alloc(length);
    this.targets.push(target);
    this.values.push(`streamed #${index}`);
    return target;
  }
}

function stream(body: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from(":1\r\n"),
    Buffer.from(`$${body.length}\r\n`),
    body,
    Buffer.from("\r\n+OK\r\n$3\r\nabc\r\n$-1\r\n"),
    Buffer.from(`$${body.length}\r\n`),
    body,
    Buffer.from("\r\n-ERR x\r\n"),
  ]);
}

describe("RespReader bulk targets", () => {
  const body = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7) % 256));
  const bytes = stream(body);

  for (const size of [1, 2, 3, 7, 100, 4096]) {
    it(`copies bulk bodies into their targets, chunks of ${size} bytes`, () => {
      const decoder = new TargetDecoder(1000);
      const reader = new RespReader(decoder);
      let counted = 0;
      for (let at = 0; at < bytes.length; at += size) counted += reader.push(bytes.subarray(at, at + size));
      expect(counted).toBe(7);
      expect(reader.replies).toBe(7);
      expect(reader.bufferedBytes).toBe(0);
      expect(decoder.targets).toHaveLength(2);
      for (const target of decoder.targets) expect(target.equals(body)).toBe(true);
      expect(decoder.values.slice(0, 5)).toEqual([1, "streamed #1", "OK", "abc", null]);
      expect(decoder.values[5]).toBe("streamed #5");
    });
  }

  it("decodes a bulk string whole when the decoder gives no target (or it arrived whole)", () => {
    const decoder = new TargetDecoder(Number.POSITIVE_INFINITY);
    const reader = new RespReader(decoder);
    for (let at = 0; at < bytes.length; at += 333) reader.push(bytes.subarray(at, at + 333));
    expect(reader.replies).toBe(7);
    expect(decoder.targets).toHaveLength(0);
    expect(decoder.values[1]).toBe(body.toString("utf8"));
    const whole = new TargetDecoder(1000);
    new RespReader(whole).push(bytes);
    expect(whole.targets).toHaveLength(0);
    expect(whole.values).toHaveLength(7);
  });
});
