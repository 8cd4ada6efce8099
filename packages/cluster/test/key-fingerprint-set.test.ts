import { describe, expect, it } from "vitest";
import { KeyFingerprintSet } from "../src/scan/key-fingerprint-set.js";

describe("KeyFingerprintSet", () => {
  it("remembers every key of a large set across growth, and reports repeats", () => {
    const set = new KeyFingerprintSet(4);
    const count = 300_000;
    let added = 0;
    for (let i = 0; i < count; i++) if (set.add(`key:${i}`)) added++;
    expect(added).toBe(count);
    expect(set.size).toBe(count);
    let repeats = 0;
    for (let i = 0; i < count; i += 7) if (!set.add(`key:${i}`)) repeats++;
    expect(repeats).toBe(Math.ceil(count / 7));
    expect(set.size).toBe(count);
    // About 16 bytes per key: the table stays at most 4x the live fingerprints' 8 bytes.
    expect(set.byteLength).toBeLessThanOrEqual(count * 32);
  });

  it("tells apart keys that differ only in length, order or non-ASCII characters", () => {
    const set = new KeyFingerprintSet();
    for (const key of ["", "a", "aa", "ab", "ba", "é", "e\u0301", "{x}", "x{}", "\u0000", "\u0000\u0000"]) {
      expect(set.add(key), JSON.stringify(key)).toBe(true);
    }
  });
});
