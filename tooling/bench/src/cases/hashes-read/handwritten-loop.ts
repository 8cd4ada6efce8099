import { Redis } from "ioredis";
import pl from "nodejs-polars";
import { HASH_FIELDS, type HashFieldName } from "../../data/hash-dataset.js";

export interface LoopOptions {
  host: string;
  port: number;
  pattern: string;
  /** SCAN COUNT and keys per pipeline, as a user would pick them. */
  batchSize: number;
  /** Fields to read with HMGET instead of HGETALL (the loop's version of projection). */
  columns?: readonly HashFieldName[];
}

/**
 * The loop a user writes without this library: SCAN, one pipelined HGETALL per page of keys through ioredis,
 * row objects, `pl.readRecords`, then casts to the same dtypes `readHashes` produces.
 */
export async function readHashesByHand(options: LoopOptions): Promise<pl.DataFrame> {
  const redis = new Redis({ host: options.host, port: options.port, lazyConnect: true });
  await redis.connect();
  try {
    const records: Record<string, string>[] = [];
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", options.pattern, "COUNT", options.batchSize);
      cursor = next;
      if (keys.length === 0) continue;
      const pipeline = redis.pipeline();
      for (const key of keys) {
        if (options.columns) pipeline.hmget(key, ...options.columns);
        else pipeline.hgetall(key);
      }
      const replies = (await pipeline.exec()) ?? [];
      replies.forEach(([error, value], i) => {
        if (error) throw error;
        records.push(toRecord(keys[i]!, value, options.columns));
      });
    } while (cursor !== "0");
    return castLikeTheLibrary(pl.readRecords(records), options.columns);
  } finally {
    redis.disconnect();
  }
}

function toRecord(key: string, value: unknown, columns?: readonly string[]): Record<string, string> {
  if (!columns) return { _key: key, ...(value as Record<string, string>) };
  const record: Record<string, string> = { _key: key };
  (value as (string | null)[]).forEach((v, i) => {
    if (v !== null) record[columns[i]!] = v;
  });
  return record;
}

export function castLikeTheLibrary(frame: pl.DataFrame, columns?: readonly HashFieldName[]): pl.DataFrame {
  return frame.withColumns(...castExpressions(columns));
}

export function castExpressions(columns?: readonly HashFieldName[]): pl.Expr[] {
  const names = columns ?? (Object.keys(HASH_FIELDS) as HashFieldName[]);
  return names.map((name) => castExpression(name));
}

function castExpression(name: HashFieldName): pl.Expr {
  const column = pl.col(name);
  switch (HASH_FIELDS[name]) {
    case "Int64":
      return column.cast(pl.Int64);
    case "Float64":
      return column.cast(pl.Float64);
    case "Boolean":
      return column.eq(pl.lit("true")).alias(name);
    case "Datetime":
      return column.str.strptime(pl.Datetime("ms"), "%Y-%m-%dT%H:%M:%S%.fZ");
    case "Date":
      return column.str.strptime(pl.Date, "%Y-%m-%d");
    default:
      return column;
  }
}
