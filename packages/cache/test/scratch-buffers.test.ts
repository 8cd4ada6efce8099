import { describe, expect, it } from "vitest";
import { giveBackScratch, takeScratch } from "../src/scratch-buffers.js";

describe("scratch buffers", () => {
  it("reuses a buffer handed back for a read of a similar size, and only its own buffers", () => {
    const first = takeScratch(1_000_000);
    expect(first.length).toBe(1_000_000);
    giveBackScratch(first);
    const again = takeScratch(900_000);
    expect(again.buffer).toBe(first.buffer);
    expect(again.length).toBe(900_000);
    // Taken: the next one is new.
    expect(takeScratch(900_000).buffer).not.toBe(first.buffer);
    giveBackScratch(again);
    // Much smaller reads do not take a much larger buffer.
    expect(takeScratch(10_000).buffer).not.toBe(first.buffer);
    // A buffer that did not come from takeScratch is never kept (it may be a slice of Node's shared pool).
    const foreign = Buffer.allocUnsafe(200_000);
    giveBackScratch(foreign);
    expect(takeScratch(200_000).buffer).not.toBe(foreign.buffer);
  });
});
