import { connect } from "@polars-redis/core";
import type pl from "nodejs-polars";
import { byteColumnsToFrame } from "./arrow-frame.js";
import { ByteColumn } from "./byte-column.js";

export interface BatchReadOptions {
  url: string;
  pattern: string;
  fields: readonly string[];
  pageSize: number;
  frameRows: number;
  finish?: (frame: pl.DataFrame) => pl.DataFrame;
}

/**
 * Variant: the connection layer as it is (`scanKeys` + `batch(HMGET, {buffers: true})`), values copied from the
 * reply Buffers into byte columns and handed to Polars as one Arrow IPC buffer per `frameRows` rows.
 */
export async function readHashesWithBufferBatches(options: BatchReadOptions): Promise<pl.DataFrame[]> {
  const connection = await connect(options.url);
  try {
    const keyColumn = new ByteColumn(options.frameRows);
    const columns = options.fields.map(() => new ByteColumn(options.frameRows));
    const names = ["_key", ...options.fields];
    const frames: pl.DataFrame[] = [];
    const flush = () => {
      if (keyColumn.length === 0) return;
      const frame = byteColumnsToFrame(names, [keyColumn, ...columns]);
      frames.push(options.finish ? options.finish(frame) : frame);
      keyColumn.reset();
      for (const column of columns) column.reset();
    };
    for await (const keys of connection.scanKeys({
      pattern: options.pattern,
      count: options.pageSize,
      type: "hash",
    })) {
      const replies = await connection.batch(
        keys.map((key) => ["HMGET", key, ...options.fields] as const),
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
