/**
 * The hash slot of a key, as Redis Cluster computes it (cluster.c keyHashSlot): CRC16/XMODEM of the key, or of
 * its hash tag — the bytes between the first "{" and the first "}" after it, when that is not empty — mod 16384.
 *
 * Written here rather than taken from `cluster-key-slot`, which hashes "a{}{tag}" by "tag" where Redis hashes the
 * whole key (the first "{" opens an empty tag). core has the same function, but testkit cannot depend on core.
 */
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

export function keySlot(key: string | Buffer): number {
  const bytes = typeof key === "string" ? Buffer.from(key, "utf8") : key;
  const open = bytes.indexOf(0x7b);
  if (open >= 0) {
    const close = bytes.indexOf(0x7d, open + 1);
    if (close > open + 1) return crc16(bytes, open + 1, close) & 0x3fff;
  }
  return crc16(bytes, 0, bytes.length) & 0x3fff;
}

function crc16(bytes: Uint8Array, start: number, end: number): number {
  let crc = 0;
  for (let i = start; i < end; i++)
    crc = ((crc << 8) & 0xffff) ^ CRC16_TABLE[((crc >> 8) ^ bytes[i]!) & 0xff]!;
  return crc;
}
