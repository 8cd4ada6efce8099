/**
 * The keys a scan has already yielded, remembered as 64-bit fingerprints in one open-addressing table of
 * 32-bit words: about 16 bytes per key at the load factor kept here (at most 1/2), far less than a Set of
 * strings (key bytes + ~50). Two different keys are mistaken for one another with probability about
 * n^2 / 2^65 for n keys (3e-8 for a million keys, 3e-6 for ten million).
 */
export class KeyFingerprintSet {
  private table: Uint32Array;
  private mask: number;
  private count = 0;

  constructor(initialCapacity = 1024) {
    let capacity = 16;
    while (capacity < initialCapacity * 2) capacity *= 2;
    this.table = new Uint32Array(capacity * 2);
    this.mask = capacity - 1;
  }

  get size(): number {
    return this.count;
  }

  /** Bytes held by the table. */
  get byteLength(): number {
    return this.table.byteLength;
  }

  /** Adds the key; true when it was not there yet. */
  add(key: string): boolean {
    const [high, low] = fingerprint(key);
    if (this.insert(high, low)) {
      this.count++;
      if (this.count * 2 > this.mask + 1) this.grow();
      return true;
    }
    return false;
  }

  private insert(high: number, low: number): boolean {
    const table = this.table;
    let index = (low ^ high) & this.mask;
    for (;;) {
      const at = index * 2;
      const storedHigh = table[at]!;
      const storedLow = table[at + 1]!;
      if (storedHigh === 0 && storedLow === 0) {
        table[at] = high;
        table[at + 1] = low;
        return true;
      }
      if (storedHigh === high && storedLow === low) return false;
      index = (index + 1) & this.mask;
    }
  }

  private grow(): void {
    const old = this.table;
    this.table = new Uint32Array(old.length * 2);
    this.mask = old.length - 1; // new capacity = old.length (pairs) = 2 * old capacity
    for (let at = 0; at < old.length; at += 2) {
      if (old[at] !== 0 || old[at + 1] !== 0) this.insert(old[at]!, old[at + 1]!);
    }
  }
}

/** Two mixed 32-bit lanes over the key's UTF-16 code units (cyrb53's mixing, both lanes kept). */
function fingerprint(key: string): [number, number] {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < key.length; i++) {
    const code = key.charCodeAt(i);
    h1 = Math.imul(h1 ^ code, 2654435761);
    h2 = Math.imul(h2 ^ code, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  // Mix the length in too, and keep (0, 0) free as the empty marker.
  h1 = (h1 ^ key.length) >>> 0;
  h2 = h2 >>> 0;
  return h1 === 0 && h2 === 0 ? [0, 1] : [h1, h2];
}
