import { Redis } from "ioredis";
import type pl from "nodejs-polars";

/** Rows per pipeline, as a user would pick it (the library's default batchSize). */
const ROWS_PER_PIPELINE = 1000;

/**
 * The loop a user writes without this library: `toRecords()`, then one pipelined HSET per row through ioredis
 * (values as `String(value)`, dates as ISO text), a pipeline per 1000 rows.
 */
export async function writeHashesByHand(
  target: { host: string; port: number },
  frame: pl.DataFrame,
): Promise<number> {
  const redis = new Redis({ host: target.host, port: target.port, lazyConnect: true });
  await redis.connect();
  try {
    const records = frame.toRecords();
    let written = 0;
    for (let start = 0; start < records.length; start += ROWS_PER_PIPELINE) {
      const pipeline = redis.pipeline();
      for (const record of records.slice(start, start + ROWS_PER_PIPELINE)) {
        const fields: string[] = [];
        for (const [name, value] of Object.entries(record) as [string, unknown][]) {
          if (name === "_key" || value === null || value === undefined) continue;
          fields.push(name, value instanceof Date ? value.toISOString() : String(value));
        }
        pipeline.hset(String(record._key), ...fields);
      }
      for (const [error] of (await pipeline.exec()) ?? []) {
        if (error) throw error;
        written++;
      }
    }
    return written;
  } finally {
    redis.disconnect();
  }
}
