import { connect } from "@polars-redis/core";
import pl from "nodejs-polars";

export interface StringBatchReadOptions {
  url: string;
  pattern: string;
  fields: readonly string[];
  pageSize: number;
  frameRows: number;
  /** Applied to every frame (the casts to the schema's dtypes). */
  finish?: (frame: pl.DataFrame) => pl.DataFrame;
}

/**
 * Variant: the straightforward columnar engine: `batch(HMGET)` with string replies, one JS array per column,
 * one `pl.Series` per column per `frameRows` rows (no row objects, but a JS string per value).
 */
export async function readHashesWithStringBatches(options: StringBatchReadOptions): Promise<pl.DataFrame[]> {
  const connection = await connect(options.url);
  try {
    const names = ["_key", ...options.fields];
    let columns: (string | null)[][] = names.map(() => []);
    const frames: pl.DataFrame[] = [];
    const flush = () => {
      if (columns[0]!.length === 0) return;
      const frame = pl.DataFrame(names.map((name, i) => pl.Series(name, columns[i]!, pl.Utf8)));
      frames.push(options.finish ? options.finish(frame) : frame);
      columns = names.map(() => []);
    };
    for await (const keys of connection.scanKeys({
      pattern: options.pattern,
      count: options.pageSize,
      type: "hash",
    })) {
      const replies = await connection.batch(
        keys.map((key) => ["HMGET", key, ...options.fields] as const),
        { chunkSize: options.pageSize },
      );
      replies.forEach((reply, row) => {
        if (!Array.isArray(reply)) throw reply instanceof Error ? reply : new Error("unexpected HMGET reply");
        columns[0]!.push(keys[row]!);
        for (let i = 0; i < reply.length; i++) columns[i + 1]!.push(reply[i] as string | null);
      });
      if (columns[0]!.length >= options.frameRows) flush();
    }
    flush();
    return frames;
  } finally {
    await connection.close();
  }
}
