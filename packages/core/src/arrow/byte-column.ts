import { anchorShape } from "./shape-anchors.js";

/**
 * A growable column of byte strings in Arrow's Utf8 layout: one data buffer, int32 offsets, one validity byte
 * per row. Values are copied straight from socket chunks; no per-value JS object is ever made.
 */
export class ByteColumn {
  data: Uint8Array;
  offsets: Int32Array;
  validity: Uint8Array;
  length = 0;
  nullCount = 0;
  byteLength = 0;

  constructor(rowCapacity = 1024, byteCapacity = rowCapacity * 16) {
    this.data = new Uint8Array(byteCapacity);
    this.offsets = new Int32Array(rowCapacity + 1);
    this.validity = new Uint8Array(rowCapacity);
  }

  appendBytes(source: Uint8Array, start: number, end: number): void {
    const size = end - start;
    if (this.length === this.validity.length) this.growRows();
    if (this.byteLength + size > this.data.length) this.growBytes(size);
    const data = this.data;
    let at = this.byteLength;
    // Short values (most fields) copy faster in a loop than through subarray() + set().
    if (size < 24) for (let i = start; i < end; i++) data[at++] = source[i]!;
    else {
      data.set(source.subarray(start, end), at);
      at += size;
    }
    this.byteLength = at;
    this.validity[this.length] = 1;
    this.offsets[++this.length] = at;
  }

  appendNull(): void {
    if (this.length === this.validity.length) this.growRows();
    this.validity[this.length] = 0;
    this.nullCount++;
    this.offsets[++this.length] = this.byteLength;
  }

  /** Drops rows past `length` (used to undo a reply that arrived only in part). */
  truncate(length: number): void {
    for (let row = length; row < this.length; row++) if (this.validity[row] === 0) this.nullCount--;
    this.length = length;
    this.byteLength = this.offsets[length]!;
  }

  reset(): void {
    this.length = 0;
    this.nullCount = 0;
    this.byteLength = 0;
  }

  private growRows(): void {
    const rows = this.validity.length * 2;
    const offsets = new Int32Array(rows + 1);
    offsets.set(this.offsets);
    this.offsets = offsets;
    const validity = new Uint8Array(rows);
    validity.set(this.validity);
    this.validity = validity;
  }

  private growBytes(extra: number): void {
    const data = new Uint8Array(Math.max(this.data.length * 2, this.byteLength + extra));
    data.set(this.data.subarray(0, this.byteLength));
    this.data = data;
  }
}

// One live column keeps ByteColumn's map, and the readers' optimized code, across full collections.
anchorShape(new ByteColumn(1, 1));
