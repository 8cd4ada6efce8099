import { encodeBulk, type RespEncoder } from "@polars-redis/core/internal";
import type { PayloadWriter } from "../engine/payload-writer.js";
import { ARGS_PER_CALL } from "../engine/script-plan.js";
import type { ScriptUnit } from "../engine/script-unit.js";
import type { ArrowTextColumn } from "../frame/arrow-text-column.js";
import type { TextWindows } from "../frame/text-windows.js";

const HSET = encodeBulk(Buffer.from("HSET"));

/** Field/value arguments per script call part (even, so pairs stay together). */
const ARGS_PER_PART = ARGS_PER_CALL - (ARGS_PER_CALL % 2);

/** The fields every row of a write shares: their names, and their values as text, window by window. */
export interface HashFields {
  /** Field names as UTF-8 bytes, encoded once. */
  readonly names: readonly Buffer[];
  /** The same names as RESP bulk strings, for the raw pipe. */
  readonly encodedNames: readonly Buffer[];
  readonly values: TextWindows;
}

/**
 * One row's hash: its non-null field/value pairs, read from the text windows only when the row is encoded,
 * so a frame is formatted batch by batch while earlier batches are on the wire.
 */
export class HashRow implements ScriptUnit {
  /** Field/value arguments (twice the non-null fields); -1 until first asked. */
  private items = -1;

  constructor(
    readonly key: string,
    readonly ttl: number,
    private readonly row: number,
    private readonly fields: HashFields,
  ) {}

  /** Whether every field of the row is null: there is nothing to write, and the key is reported as skipped. */
  get isEmpty(): boolean {
    return this.argumentCount() === 0;
  }

  get partCount(): number {
    return Math.ceil(this.argumentCount() / ARGS_PER_PART);
  }

  itemCount(part: number): number {
    return Math.min(ARGS_PER_PART, this.argumentCount() - part * ARGS_PER_PART);
  }

  writePart(part: number, out: PayloadWriter): void {
    const { columns, local } = this.cells();
    const names = this.fields.names;
    const skip = (part * ARGS_PER_PART) / 2;
    const take = this.itemCount(part) / 2;
    let seen = 0;
    let written = 0;
    for (let column = 0; column < columns.length && written < take; column++) {
      const value = columns[column]!;
      if (value.isNull(local)) continue;
      if (seen++ < skip) continue;
      out.binary(names[column]!);
      out.bytes(value, local);
      written++;
    }
  }

  /** Encodes `HSET key field value ...` with every non-null field. */
  writeHset(out: RespEncoder): void {
    const { columns, local } = this.cells();
    const names = this.fields.encodedNames;
    out.command(2 + this.argumentCount());
    out.raw(HSET);
    out.text(this.key);
    for (let column = 0; column < columns.length; column++) {
      const value = columns[column]!;
      if (value.isNull(local)) continue;
      out.raw(names[column]!);
      out.columnValue(value, local);
    }
  }

  /** The byte columns of this row's window, and the row's position in them. */
  private cells(): { columns: readonly ArrowTextColumn[]; local: number } {
    const windows = this.fields.values;
    return { columns: windows.columnsAt(this.row), local: this.row - windows.windowStart(this.row) };
  }

  private argumentCount(): number {
    if (this.items < 0) {
      const columns = this.fields.values.columnsAt(this.row);
      const local = this.row - this.fields.values.windowStart(this.row);
      let present = 0;
      for (const column of columns) if (!column.isNull(local)) present++;
      this.items = present * 2;
    }
    return this.items;
  }
}
