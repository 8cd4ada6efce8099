import { parseInt64 } from "../../schema/parse/parse-integer.js";
import type { CoercionPolicy } from "../coercion-policy.js";
import type { NamedColumn } from "../columns/assemble-frame.js";
import type { ColumnBuilder } from "../columns/column-builder.js";
import type { ColumnData } from "../columns/column-data.js";
import { createColumnBuilder } from "../columns/create-column-builder.js";
import { Int64ColumnBuilder } from "../columns/int64-column-builder.js";
import type { StreamColumnLayout } from "./stream-column-layout.js";

/**
 * Builds the columns of stream entries as they arrive (XRANGE / XREAD / XREADGROUP reply entries). With a
 * schema, each field goes to its column through the coercion policy; without one, every field found
 * becomes a Utf8 column (earlier rows get null). An entry whose fields are null (deleted while pending)
 * gets nulls. A field repeated within one entry keeps its first value.
 */
export class StreamEntryColumns {
  private readonly coercion: CoercionPolicy;
  private readonly idBuilder: ColumnBuilder | undefined;
  private readonly timestampBuilder: Int64ColumnBuilder | undefined;
  private readonly sequenceBuilder: Int64ColumnBuilder | undefined;
  private readonly fieldBuilders: ColumnBuilder[] = [];
  private readonly fieldNames: string[] = [];
  /** Field name as latin1 text of its bytes → index in fieldBuilders. */
  private readonly fieldIndex = new Map<string, number>();
  private readonly dynamic: boolean;
  private rows = 0;
  private bytes = 0;

  constructor(layout: StreamColumnLayout, coercion: CoercionPolicy, capacity: number) {
    this.coercion = coercion;
    this.dynamic = layout.fields === undefined;
    if (layout.idColumn !== undefined) this.idBuilder = createColumnBuilder({ kind: "utf8" }, capacity);
    if (layout.timestampColumn !== undefined) {
      this.timestampBuilder = new Int64ColumnBuilder(
        { kind: "datetime", unit: "ms", timeZone: null },
        parseInt64,
        capacity,
      );
    }
    if (layout.sequenceColumn !== undefined) {
      this.sequenceBuilder = new Int64ColumnBuilder({ kind: "int64" }, parseInt64, capacity);
    }
    for (const field of layout.fields ?? [])
      this.addField(field.name, createColumnBuilder(field.dtype, capacity));
  }

  get length(): number {
    return this.rows;
  }

  /** Bytes of field names and values appended since the last call. */
  takeBytes(): number {
    const bytes = this.bytes;
    this.bytes = 0;
    return bytes;
  }

  /** Appends one entry. `key` names the stream in error messages. */
  append(key: string, id: Buffer | string, fields: readonly (Buffer | string)[] | null): void {
    const idText = typeof id === "string" ? id : id.toString("latin1");
    this.idBuilder?.append(idText);
    if (this.timestampBuilder !== undefined || this.sequenceBuilder !== undefined) {
      const dash = idText.indexOf("-");
      appendIdPart(this.timestampBuilder, dash === -1 ? idText : idText.slice(0, dash));
      appendIdPart(this.sequenceBuilder, dash === -1 ? "0" : idText.slice(dash + 1));
    }
    const row = this.rows;
    if (fields !== null) {
      let bytes = 0;
      for (let i = 0; i + 1 < fields.length; i += 2) {
        const name = fields[i]!;
        const value = fields[i + 1]!;
        bytes += name.length + value.length;
        const nameKey =
          typeof name === "string" ? Buffer.from(name, "utf8").toString("latin1") : name.toString("latin1");
        let f = this.fieldIndex.get(nameKey);
        if (f === undefined) {
          if (!this.dynamic) continue;
          f = this.addField(
            Buffer.from(nameKey, "latin1").toString("utf8"),
            createColumnBuilder({ kind: "utf8" }, row + 1),
          );
          for (let r = 0; r < row; r++) this.fieldBuilders[f]!.appendNull();
        }
        const builder = this.fieldBuilders[f]!;
        if (builder.length > row) continue;
        this.coercion.append(builder, value, key, this.fieldNames[f]!);
      }
      this.bytes += bytes;
    }
    for (const builder of this.fieldBuilders) if (builder.length === row) builder.appendNull();
    this.rows++;
  }

  /** The declared columns (layout order) and, without a schema, the fields found, as extra columns. */
  finish(): { columns: ColumnData[]; extraColumns: NamedColumn[] | undefined } {
    const columns: ColumnData[] = [];
    if (this.idBuilder) columns.push(this.idBuilder.finish());
    if (this.timestampBuilder) columns.push(this.timestampBuilder.finish());
    if (this.sequenceBuilder) columns.push(this.sequenceBuilder.finish());
    const fields = this.fieldBuilders.map((builder, f) => ({
      name: this.fieldNames[f]!,
      data: builder.finish(),
    }));
    this.rows = 0;
    if (this.dynamic) {
      this.fieldBuilders.length = 0;
      this.fieldNames.length = 0;
      this.fieldIndex.clear();
      return { columns, extraColumns: fields };
    }
    for (const field of fields) columns.push(field.data);
    return { columns, extraColumns: undefined };
  }

  private addField(name: string, builder: ColumnBuilder): number {
    const index = this.fieldBuilders.length;
    this.fieldBuilders.push(builder);
    this.fieldNames.push(name);
    this.fieldIndex.set(Buffer.from(name, "utf8").toString("latin1"), index);
    return index;
  }
}

function appendIdPart(builder: Int64ColumnBuilder | undefined, text: string): void {
  if (builder === undefined) return;
  const value = parseInt64(text);
  if (value === undefined) builder.appendNull();
  else builder.appendInteger(value);
}
