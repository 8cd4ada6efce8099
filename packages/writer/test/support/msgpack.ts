/**
 * Decodes the MessagePack the writer's scripts receive (what Redis's `cmsgpack.unpack` reads): arrays, strings,
 * non-negative integers and doubles. Strings come back as JS strings (UTF-8).
 */
export function decodeMsgpack(bytes: Buffer): unknown {
  let offset = 0;
  const read = (): unknown => {
    const type = bytes[offset++]!;
    if (type < 0x80) return type;
    if ((type & 0xe0) === 0xa0) return text(type & 0x1f);
    switch (type) {
      case 0xcc:
        return bytes[offset++]!;
      case 0xcd:
        return advance(2, bytes.readUInt16BE(offset));
      case 0xce:
        return advance(4, bytes.readUInt32BE(offset));
      case 0xcb:
        return advance(8, bytes.readDoubleBE(offset));
      case 0xd9:
        return text(bytes[offset++]!);
      case 0xda:
        return text(advance(2, bytes.readUInt16BE(offset)));
      case 0xdb:
        return text(advance(4, bytes.readUInt32BE(offset)));
      case 0xdc:
        return array(advance(2, bytes.readUInt16BE(offset)));
      case 0xdd:
        return array(advance(4, bytes.readUInt32BE(offset)));
      default:
        throw new Error(`unsupported MessagePack type 0x${type.toString(16)}`);
    }
  };
  const advance = <T>(size: number, value: T): T => {
    offset += size;
    return value;
  };
  const text = (length: number): string => {
    const value = bytes.toString("utf8", offset, offset + length);
    offset += length;
    return value;
  };
  const array = (length: number): unknown[] => Array.from({ length }, read);
  const value = read();
  if (offset !== bytes.length)
    throw new Error(`${bytes.length - offset} bytes left after the MessagePack value`);
  return value;
}
