import type { Command } from "../../connection/redis-connection.js";
import type { ScalarDtype } from "../../schema/dtype.js";
import { createColumnBuilder } from "../columns/create-column-builder.js";
import { keySlot } from "../key-slot.js";
import { skipWrongType } from "../reply-errors.js";
import type { ColumnSpec, ReadContext, RowChunk, ScanReader } from "../scan-reader.js";

/**
 * Strings: one row per key, the value in one column. MGET reads a whole batch in one command on a
 * standalone server; on a cluster, one MGET per hash slot (a multi-key command must stay in one slot).
 * MGET answers nil both for a key that is gone and for one that no longer holds a string: such keys are
 * skipped and counted as missing.
 */
export class StringReader implements ScanReader {
  readonly keyType = "string" as const;
  readonly columns: readonly ColumnSpec[];
  private readonly valueColumn: string;
  private readonly valueType: ScalarDtype;

  constructor(valueColumn: string, valueType: ScalarDtype) {
    this.valueColumn = valueColumn;
    this.valueType = valueType;
    this.columns = [{ name: valueColumn, dtype: valueType }];
  }

  async *readBatch(keys: readonly string[], context: ReadContext): AsyncGenerator<RowChunk> {
    const groups =
      context.connection.kind === "cluster" ? groupBySlot(keys) : [keys.map((_, index) => index)];
    const replies = await context.batch(
      groups.map((group): Command => ["MGET", ...group.map((index) => keys[index]!)]),
    );
    const values: (Buffer | null)[] = new Array(keys.length);
    groups.forEach((group, g) => {
      const reply = replies[g]!;
      // MGET never answers WRONGTYPE; anything else that fails is thrown.
      skipWrongType(reply, context);
      const answers = reply as (Buffer | null)[];
      group.forEach((keyIndex, i) => {
        values[keyIndex] = answers[i] ?? null;
      });
    });
    const builder = createColumnBuilder(this.valueType, keys.length);
    const keyIndexes = new Int32Array(keys.length);
    let rows = 0;
    let bytes = 0;
    for (let k = 0; k < keys.length; k++) {
      const value = values[k];
      if (value === null || value === undefined) {
        context.keyMissing();
        continue;
      }
      bytes += value.length;
      context.coercion.append(builder, value, keys[k]!, this.valueColumn);
      keyIndexes[rows++] = k;
    }
    context.addBytes(bytes);
    yield { rowCount: rows, keyIndexes: keyIndexes.subarray(0, rows), columns: [builder.finish()] };
  }
}

/** Key positions grouped by hash slot, in first-seen order. */
function groupBySlot(keys: readonly string[]): number[][] {
  const bySlot = new Map<number, number[]>();
  keys.forEach((key, index) => {
    const slot = keySlot(key);
    const group = bySlot.get(slot);
    if (group) group.push(index);
    else bySlot.set(slot, [index]);
  });
  return [...bySlot.values()];
}
