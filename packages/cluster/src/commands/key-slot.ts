import type { RedisArgument } from "@polars-redis/core";

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

function crc16(bytes: Uint8Array | string, start: number, end: number): number {
  let crc = 0;
  if (typeof bytes === "string") {
    for (let i = start; i < end; i++)
      crc = ((crc << 8) & 0xffff) ^ CRC16_TABLE[((crc >> 8) ^ bytes.charCodeAt(i)) & 0xff]!;
  } else {
    for (let i = start; i < end; i++)
      crc = ((crc << 8) & 0xffff) ^ CRC16_TABLE[((crc >> 8) ^ bytes[i]!) & 0xff]!;
  }
  return crc;
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

/**
 * The hash slot of a key: CRC16 of the key, or of its hash tag (the bytes between the first "{" and the next
 * "}", when not empty), modulo 16384. Strings are hashed as their UTF-8 bytes without copying when ASCII.
 */
export function keySlot(key: RedisArgument): number {
  if (typeof key === "number") return asciiSlot(String(key));
  if (typeof key === "string") return isAscii(key) ? asciiSlot(key) : bufferSlot(Buffer.from(key, "utf8"));
  return bufferSlot(key);
}

// indexOf on an ASCII string finds the same positions as on its bytes.
function asciiSlot(key: string): number {
  const open = key.indexOf("{");
  if (open >= 0) {
    const close = key.indexOf("}", open + 1);
    if (close > open + 1) return crc16(key, open + 1, close) & 0x3fff;
  }
  return crc16(key, 0, key.length) & 0x3fff;
}

function bufferSlot(key: Buffer): number {
  const open = key.indexOf(OPEN_BRACE);
  if (open >= 0) {
    const close = key.indexOf(CLOSE_BRACE, open + 1);
    if (close > open + 1) return crc16(key, open + 1, close) & 0x3fff;
  }
  return crc16(key, 0, key.length) & 0x3fff;
}
