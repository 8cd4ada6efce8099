import { grow } from "./columns/growable.js";

/** A growable list of "row r belongs to key k" entries, for chunks whose keys have many rows each. */
export class RowKeyIndexes {
  private indexes: Int32Array;
  length = 0;

  constructor(capacity: number) {
    this.indexes = new Int32Array(Math.max(16, capacity));
  }

  /** Records `count` rows of key `keyIndex`. */
  add(keyIndex: number, count = 1): void {
    while (this.length + count > this.indexes.length) this.indexes = grow(this.indexes);
    this.indexes.fill(keyIndex, this.length, this.length + count);
    this.length += count;
  }

  take(): Int32Array {
    const taken = this.indexes.subarray(0, this.length);
    this.indexes = new Int32Array(16);
    this.length = 0;
    return taken;
  }
}
