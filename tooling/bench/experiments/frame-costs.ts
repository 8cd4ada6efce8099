/**
 * Micro-benchmark (no Redis): what it costs to turn N rows of 11 byte columns into a typed DataFrame,
 * by frame size and route. Run: node dist/experiments/frame-costs.js
 */

import { arrowColumnsToFrame, ByteColumn, byteColumnToArrow } from "@polars-redis/core/internal";
import pl from "nodejs-polars";
import { castLikeTheLibrary } from "../src/cases/hashes-read/handwritten-loop.js";
import { HASH_FIELD_NAMES, hashFieldValues, hashKey } from "../src/data/hash-dataset.js";

/** Byte columns → Utf8 frame (then cast in Polars), through the fast path's Arrow hand-over. */
function byteColumnsToFrame(columnNames: readonly string[], columns: readonly ByteColumn[]): pl.DataFrame {
  const arrow = columns.map((column, i) => ({
    name: columnNames[i]!,
    data: byteColumnToArrow(column, { kind: "utf8" }, () => {}),
  }));
  return arrowColumnsToFrame(arrow, columns[0]!.length);
}

const TOTAL = Number(process.env.N ?? 200_000);
const names = ["_key", ...HASH_FIELD_NAMES];

function fill(rows: number, offset: number): ByteColumn[] {
  const columns = names.map(() => new ByteColumn(rows));
  for (let r = 0; r < rows; r++) {
    const key = Buffer.from(hashKey(offset + r));
    columns[0]!.appendBytes(key, 0, key.length);
    const values = hashFieldValues(offset + r);
    for (let f = 0; f < 10; f++) {
      const bytes = Buffer.from(values[f * 2 + 1]!);
      columns[f + 1]!.appendBytes(bytes, 0, bytes.length);
    }
  }
  return columns;
}

function strings(rows: number, offset: number): string[][] {
  const columns: string[][] = names.map(() => []);
  for (let r = 0; r < rows; r++) {
    columns[0]!.push(hashKey(offset + r));
    const values = hashFieldValues(offset + r);
    for (let f = 0; f < 10; f++) columns[f + 1]!.push(values[f * 2 + 1]!);
  }
  return columns;
}

function time(label: string, action: () => number) {
  action();
  const started = performance.now();
  const rows = action();
  const ms = performance.now() - started;
  console.log(
    `${label.padEnd(58)} ${ms.toFixed(0).padStart(6)} ms  ${Math.round(rows / (ms / 1000))
      .toLocaleString("en-US")
      .padStart(12)} rows/s`,
  );
}

for (const frameRows of [1000, 10_000, 50_000]) {
  const batches = Array.from({ length: TOTAL / frameRows }, (_, i) => fill(frameRows, i * frameRows));
  time(`Arrow IPC → readIPC, frames of ${frameRows}`, () => {
    for (const columns of batches) byteColumnsToFrame(names, columns);
    return TOTAL;
  });
  time(`Arrow IPC → readIPC + casts, frames of ${frameRows}`, () => {
    for (const columns of batches) castLikeTheLibrary(byteColumnsToFrame(names, columns));
    return TOTAL;
  });
  const stringBatches = Array.from({ length: TOTAL / frameRows }, (_, i) =>
    strings(frameRows, i * frameRows),
  );
  time(`pl.Series per column (strings) + casts, frames of ${frameRows}`, () => {
    for (const columns of stringBatches) {
      castLikeTheLibrary(pl.DataFrame(names.map((name, i) => pl.Series(name, columns[i]!, pl.Utf8))));
    }
    return TOTAL;
  });
}
const all = fill(TOTAL, 0);
const frame = byteColumnsToFrame(names, all);
time("casts only, one frame", () => castLikeTheLibrary(frame).height);
const utf8 = fill(TOTAL, 0);
time("JS decode of every value to a string (toString per value)", () => {
  let n = 0;
  for (const column of utf8) {
    const data = Buffer.from(column.data.buffer, 0, column.byteLength);
    for (let r = 0; r < column.length; r++)
      n += data.toString("utf8", column.offsets[r], column.offsets[r + 1]).length;
  }
  return TOTAL + (n & 0);
});
