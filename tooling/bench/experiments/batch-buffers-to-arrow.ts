import { connect, type ScalarDtype } from "@polars-redis/core";
import { arrowColumnsToFrame, ByteColumn, byteColumnToArrow } from "@polars-redis/core/internal";
import type pl from "nodejs-polars";

export interface BatchReadOptions {
  url: string;
  pattern: string;
  fields: readonly { name: string; dtype: ScalarDtype }[];
  pageSize: number;
  frameRows: number;
}

/**
 * Variant: the connection layer as it is (`scanKeys` + `batch(HMGET, {buffers: true})`), values copied from the
 * reply Buffers into byte columns, converted and handed to Polars as one Arrow IPC buffer per `frameRows` rows
 * (the fast path's conversion, fed by ioredis instead of the raw channel).
 */
export async function readHashesWithBufferBatches(options: BatchReadOptions): Promise<pl.DataFrame[]> {
  const connection = await connect(options.url);
  try {
    const keyColumn = new ByteColumn(options.frameRows);
    const columns = options.fields.map(() => new ByteColumn(options.frameRows));
    const frames: pl.DataFrame[] = [];
    const fail = () => {
      throw new Error("a value did not convert");
    };
    const flush = () => {
      if (keyColumn.length === 0) return;
      const arrow = [
        { name: "_key", data: byteColumnToArrow(keyColumn, { kind: "utf8" }, fail) },
        ...options.fields.map((field, i) => ({
          name: field.name,
          data: byteColumnToArrow(columns[i]!, field.dtype, fail),
        })),
      ];
      frames.push(arrowColumnsToFrame(arrow, keyColumn.length));
      keyColumn.reset();
      for (const column of columns) column.reset();
    };
    const names = options.fields.map((field) => field.name);
    for await (const keys of connection.scanKeys({
      pattern: options.pattern,
      count: options.pageSize,
      type: "hash",
    })) {
      const replies = await connection.batch(
        keys.map((key) => ["HMGET", key, ...names] as const),
        { buffers: true, chunkSize: options.pageSize },
      );
      replies.forEach((reply, row) => {
        if (!Array.isArray(reply)) throw reply instanceof Error ? reply : new Error("unexpected HMGET reply");
        const key = Buffer.from(keys[row]!);
        keyColumn.appendBytes(key, 0, key.length);
        reply.forEach((value, column) => {
          if (value === null) columns[column]!.appendNull();
          else {
            const bytes = value as Buffer;
            columns[column]!.appendBytes(bytes, 0, bytes.length);
          }
        });
      });
      if (keyColumn.length >= options.frameRows) flush();
    }
    flush();
    return frames;
  } finally {
    await connection.close();
  }
}
