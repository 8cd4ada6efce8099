import type { RedisArgument } from "../connection/redis-connection.js";
import { InvalidArgumentError } from "../errors/invalid-argument-error.js";
import { describeValue } from "../validation/describe-value.js";

/** CRC16/XMODEM, the checksum Redis Cluster hashes keys with (cluster.c keyHashSlot). */
const CRC16_TABLE = (() => {
  const table = new Uint16Array(256);
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte << 8;
    for (let bit = 0; bit < 8; bit++)
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    table[byte] = crc;
  }
  return table;
})();

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/**
 * The Redis Cluster hash slot of a key: CRC16 of the key, or of its hash tag (the bytes between the first "{"
 * and the next "}", when not empty), modulo 16384. Strings hash as their UTF-8 bytes (ASCII ones without a
 * copy), numbers as their decimal text.
 */
export function keySlot(key: RedisArgument): number {
  if (typeof key === "number") return stringSlot(String(key));
  if (typeof key === "string") return stringSlot(key);
  if (!Buffer.isBuffer(key)) {
    throw new InvalidArgumentError(
      "key",
      `expected a string, a Buffer or a number, got ${describeValue(key)}`,
    );
  }
  return bufferSlot(key);
}

function stringSlot(key: string): number {
  const open = key.indexOf("{");
  if (open >= 0) {
    const close = key.indexOf("}", open + 1);
    if (close > open + 1) {
      const slot = asciiCrc16(key, open + 1, close);
      // The tag's text positions equal its byte positions only if everything before it is ASCII.
      if (slot >= 0 && asciiCrc16(key, 0, open) >= 0) return slot & 0x3fff;
      return bufferSlot(Buffer.from(key, "utf8"));
    }
  }
  const crc = asciiCrc16(key, 0, key.length);
  return crc >= 0 ? crc & 0x3fff : bufferSlot(Buffer.from(key, "utf8"));
}

/** CRC16 of an ASCII range in one pass; -1 as soon as a non-ASCII character shows up. */
function asciiCrc16(text: string, start: number, end: number): number {
  let crc = 0;
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x7f) return -1;
    crc = ((crc << 8) & 0xffff) ^ CRC16_TABLE[((crc >> 8) ^ code) & 0xff]!;
  }
  return crc;
}

function bufferSlot(key: Uint8Array): number {
  const open = key.indexOf(OPEN_BRACE);
  if (open >= 0) {
    const close = key.indexOf(CLOSE_BRACE, open + 1);
    if (close > open + 1) return crc16(key, open + 1, close) & 0x3fff;
  }
  return crc16(key, 0, key.length) & 0x3fff;
}

function crc16(bytes: Uint8Array, start: number, end: number): number {
  let crc = 0;
  for (let i = start; i < end; i++)
    crc = ((crc << 8) & 0xffff) ^ CRC16_TABLE[((crc >> 8) ^ bytes[i]!) & 0xff]!;
  return crc;
}
