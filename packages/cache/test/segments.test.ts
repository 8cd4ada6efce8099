import pl from "nodejs-polars";
import { describe, expect, it } from "vitest";
import { decodeFrame, encodeFrame } from "../src/codec.js";
import { mixedFrame } from "./fixtures/frames.js";

/**
 * A large frame is serialised as several segments (complete IPC or Parquet files of consecutive rows), so the
 * write never holds polars' own copy of the whole payload beside the frame and the buffers handed over. Here
 * with a segment size small enough to cut a small frame into many.
 */
describe("segmented payloads", () => {
  const frame = mixedFrame(6000);
  for (const [format, compression] of [
    ["ipc", "uncompressed"],
    ["ipc", "zstd"],
    ["parquet", "zstd"],
  ] as const) {
    it(`${format} ${compression}: round trip, projection and nRows across segments`, () => {
      const { parts, segments } = encodeFrame(frame, format, compression, 64 * 1024);
      expect(segments.length).toBeGreaterThan(2);
      const payload = Buffer.concat(parts);
      expect(segments.reduce((sum, length) => sum + length, 0)).toBe(payload.length);
      const back = decodeFrame(payload, {}, segments);
      expect(back.frameEqual(frame, true)).toBe(true);
      expect(back.nChunks()).toBe(segments.length);
      const firstRows = decodeFrame(payload.subarray(0, segments[0]!)).height;
      const some = decodeFrame(payload, { columns: ["id", "tags"], nRows: firstRows + 7 }, segments);
      expect(some.columns).toEqual(["id", "tags"]);
      expect(some.frameEqual(frame.select("id", "tags").head(firstRows + 7), true)).toBe(true);
      expect(decodeFrame(payload, { nRows: 0 }, segments).height).toBe(0);
    });
  }

  it("keeps a frame below two segments' worth in one", () => {
    const { segments } = encodeFrame(frame, "ipc", "uncompressed");
    expect(segments).toHaveLength(1);
    expect(pl.readIPC(Buffer.concat(encodeFrame(frame, "ipc", "uncompressed").parts)).height).toBe(6000);
  });
});
