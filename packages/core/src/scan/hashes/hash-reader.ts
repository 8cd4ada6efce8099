import type { BatchReply, Command } from "../../connection/redis-connection.js";
import type { ColumnBuilder } from "../columns/column-builder.js";
import { createColumnBuilder } from "../columns/create-column-builder.js";
import { skipWrongType } from "../reply-errors.js";
import type { ScalarField } from "../scalar-field.js";
import type { ReadContext, RowChunk, ScanReader } from "../scan-reader.js";

/**
 * Hashes: one row per hash, one column per schema field. Reads every field with HGETALL, or only the
 * projected ones with HMGET (less data, and no field names to match). A hash without a schema field has
 * null there; fields outside the schema are ignored.
 */
export class HashReader implements ScanReader {
  readonly keyType = "hash" as const;
  readonly columns: readonly ScalarField[];
  private readonly projected: boolean;
  /** Field name, as latin1 text of its UTF-8 bytes (cheap to decode from a reply) → column index. */
  private readonly fieldIndex: Map<string, number>;
  private readonly fieldNames: readonly string[];

  constructor(fields: readonly ScalarField[], options: { projected: boolean }) {
    this.columns = fields;
    this.projected = options.projected;
    this.fieldNames = fields.map((field) => field.name);
    this.fieldIndex = new Map(
      fields.map((field, index) => [Buffer.from(field.name, "utf8").toString("latin1"), index]),
    );
  }

  async *readBatch(keys: readonly string[], context: ReadContext): AsyncGenerator<RowChunk> {
    const commands: Command[] = this.projected
      ? keys.map((key) => ["HMGET", key, ...this.fieldNames])
      : keys.map((key) => ["HGETALL", key]);
    const replies = await context.batch(commands);
    const gone = this.projected ? await this.goneAmongAllNil(keys, replies, context) : undefined;
    const builders = this.columns.map((spec) => createColumnBuilder(spec.dtype, keys.length));
    const keyIndexes = new Int32Array(keys.length);
    let rows = 0;
    for (let k = 0; k < keys.length; k++) {
      const reply = replies[k]!;
      if (skipWrongType(reply, context)) continue;
      const values = reply as (Buffer | null)[];
      if (this.projected) {
        if (gone?.has(k)) continue;
        this.appendProjected(keys[k]!, values, builders, context);
      } else {
        if (values.length === 0) {
          context.keyMissing();
          continue;
        }
        this.appendAll(keys[k]!, values as Buffer[], builders, context);
      }
      keyIndexes[rows++] = k;
    }
    yield {
      rowCount: rows,
      keyIndexes: keyIndexes.subarray(0, rows),
      columns: builders.map((builder) => builder.finish()),
    };
  }

  /**
   * HMGET cannot tell a hash without any of the projected fields from a key that is gone. Ask EXISTS for
   * those keys only (rare): the ones that are gone are skipped and counted, the others get a row of nulls.
   */
  private async goneAmongAllNil(
    keys: readonly string[],
    replies: readonly BatchReply[],
    context: ReadContext,
  ): Promise<Set<number> | undefined> {
    const allNil: number[] = [];
    replies.forEach((reply, k) => {
      if (Array.isArray(reply) && reply.every((value) => value === null)) allNil.push(k);
    });
    if (allNil.length === 0) return undefined;
    const exists = await context.batch(allNil.map((k): Command => ["EXISTS", keys[k]!]));
    const gone = new Set<number>();
    allNil.forEach((k, i) => {
      const reply = exists[i]!;
      if (skipWrongType(reply, context)) {
        gone.add(k);
      } else if (Number(reply) === 0) {
        context.keyMissing();
        gone.add(k);
      }
    });
    return gone;
  }

  private appendProjected(
    key: string,
    values: (Buffer | null)[],
    builders: ColumnBuilder[],
    context: ReadContext,
  ): void {
    let bytes = 0;
    for (let f = 0; f < builders.length; f++) {
      const value = values[f];
      if (value === null || value === undefined) builders[f]!.appendNull();
      else {
        bytes += value.length;
        context.coercion.append(builders[f]!, value, key, this.fieldNames[f]!);
      }
    }
    context.addBytes(bytes);
  }

  private appendAll(key: string, pairs: Buffer[], builders: ColumnBuilder[], context: ReadContext): void {
    const row = builders[0]?.length ?? 0;
    let bytes = 0;
    for (let i = 0; i + 1 < pairs.length; i += 2) {
      const name = pairs[i]!;
      const value = pairs[i + 1]!;
      bytes += name.length + value.length;
      const f = this.fieldIndex.get(name.toString("latin1"));
      // A field listed twice in a reply cannot happen in a hash; the length check keeps rows aligned anyway.
      if (f === undefined || builders[f]!.length > row) continue;
      context.coercion.append(builders[f]!, value, key, this.fieldNames[f]!);
    }
    for (const builder of builders) if (builder.length === row) builder.appendNull();
    context.addBytes(bytes);
  }
}
