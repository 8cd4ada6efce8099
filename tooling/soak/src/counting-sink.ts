import {
  type Command,
  isCommandError,
  type KeyError,
  type RedisConnection,
  type Sink,
  WriteResult,
} from "@polars-redis/core";
import type { DataFrame } from "nodejs-polars";
import { WRITES_KEY } from "./rules.js";

/**
 * A destination that counts: each row adds 1 to its source entry's field of WRITES_KEY (HINCRBY), so the final
 * check sees which entries arrived and how many times (a replay after a crash or a lost reply counts twice:
 * the duplicates of at-least-once delivery, measured instead of hidden by an idempotent write). Routes keep
 * the metadata columns, so each row names its source stream and entry id.
 */
export function countingSink(name: string, conn: RedisConnection): Sink {
  return {
    name,
    async write(frame: DataFrame): Promise<WriteResult> {
      const keys = entryKeys(frame);
      const commands: Command[] = keys.map((key) => ["HINCRBY", WRITES_KEY, key, 1]);
      const replies = await conn.batch(commands);
      const errors = new Map<string, KeyError>();
      replies.forEach((reply, index) => {
        if (isCommandError(reply)) errors.set(keys[index]!, reply);
      });
      return new WriteResult({ written: keys.length - errors.size, errors });
    },
  };
}

/** `<stream>/<id>` of every row (the `_stream` column exists when several streams are read). */
export function entryKeys(frame: DataFrame): string[] {
  const ids = frame.getColumn("_id").toArray() as string[];
  const streams = frame.columns.includes("_stream")
    ? (frame.getColumn("_stream").toArray() as string[])
    : undefined;
  return ids.map((id, row) => `${streams?.[row] ?? ""}/${id}`);
}
