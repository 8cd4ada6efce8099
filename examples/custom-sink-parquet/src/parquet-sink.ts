import { createHash, randomBytes } from "node:crypto";
import { mkdir, readdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import {
  InvalidArgumentError,
  type KeyError,
  PolarsRedisError,
  type Sink,
  WriteResult,
} from "@polars-redis/core";
import pl, { type DataFrame } from "nodejs-polars";

export interface ParquetSinkOptions {
  /** Where the files go: `<directory>/<partitionColumn>=<value>/batch-<id>.parquet`. */
  directory: string;
  /** The column naming each row in the WriteResult. ["_key"] */
  keyColumn?: string;
  /** Split rows into one directory per value of this column (Hive style). [no partitions] */
  partitionColumn?: string;
  compression?: "uncompressed" | "snappy" | "zstd";
}

/**
 * A Sink that writes each batch as Parquet files, one per partition. It follows the same contract as the
 * library's Redis sinks:
 * - replay-safe: a file is named after the batch's row ids (or its content), so writing the same batch twice
 *   overwrites the same file instead of adding a second copy;
 * - atomic per file: a file is written under a temporary name and renamed into place, so a reader never sees
 *   half a file;
 * - per-key results: rows of a partition that cannot be written fail (with the error), the others succeed;
 *   a partial failure is reported, never thrown.
 */
export function createParquetSink(options: ParquetSinkOptions): Sink & { readAll(): Promise<DataFrame> } {
  const { directory, keyColumn = "_key", partitionColumn, compression = "zstd" } = options;
  if (typeof directory !== "string" || directory === "") {
    throw new InvalidArgumentError("directory", "expected a directory path");
  }
  let closed = false;

  return {
    name: `parquet:${directory}`,

    async write(frame, context): Promise<WriteResult> {
      if (closed) throw new InvalidArgumentError("sink", "the Parquet sink is closed");
      for (const column of [keyColumn, ...(partitionColumn ? [partitionColumn] : [])]) {
        if (!frame.columns.includes(column)) {
          throw new InvalidArgumentError(
            "frame",
            `column "${column}" not found (columns: ${frame.columns.join(", ")})`,
          );
        }
      }
      const keys = frame.getColumn(keyColumn).cast(pl.Utf8).toArray() as string[];
      const rowIds = context.rowIds ?? keys;
      const partitions = partitionColumn
        ? (frame.getColumn(partitionColumn).cast(pl.Utf8).toArray() as (string | null)[])
        : new Array<string | null>(frame.height).fill(null);

      const rowsByPartition = new Map<string | null, number[]>();
      partitions.forEach((value, row) => {
        const rows = rowsByPartition.get(value) ?? [];
        rows.push(row);
        rowsByPartition.set(value, rows);
      });

      let written = 0;
      const errors = new Map<string, KeyError>();
      for (const [value, rows] of rowsByPartition) {
        if (context.signal.aborted) throw context.signal.reason;
        const folder = value === null ? directory : join(directory, `${partitionColumn}=${value}`);
        const part = partitionOf(frame, partitionColumn, value);
        try {
          await mkdir(folder, { recursive: true });
          const batchId = createHash("sha256")
            .update(rows.map((row) => rowIds[row]).join("\n"))
            .digest("hex")
            .slice(0, 24);
          const file = join(folder, `batch-${batchId}.parquet`);
          const temporary = `${file}.${randomBytes(6).toString("hex")}.tmp`;
          part.writeParquet(temporary, { compression });
          await rename(temporary, file);
          written += rows.length;
        } catch (cause) {
          const error = new PolarsRedisError({
            code: "PARTIAL_WRITE",
            message: `cannot write partition ${JSON.stringify(value)} to ${folder}: ${(cause as Error).message}`,
            retryable: false,
            cause,
          });
          for (const row of rows) errors.set(keys[row]!, error);
        }
      }
      return new WriteResult({ written, errors });
    },

    async readAll(): Promise<DataFrame> {
      const files = (await readdir(directory, { recursive: true })).filter((name) =>
        name.endsWith(".parquet"),
      );
      const frames = files.map((name) => pl.readParquet(join(directory, name)));
      return frames.length === 0 ? pl.DataFrame() : pl.concat(frames, { how: "diagonal" });
    },

    async close(): Promise<void> {
      closed = true;
    },
  };
}

/** The rows of one partition (all rows without a partition column). */
function partitionOf(frame: DataFrame, partitionColumn: string | undefined, value: string | null): DataFrame {
  if (partitionColumn === undefined) return frame;
  const column = pl.col(partitionColumn);
  return frame.filter(value === null ? column.isNull() : column.cast(pl.Utf8).eq(pl.lit(value)));
}

/** Deletes the sink's directory (tests and demos). */
export async function removeParquetDirectory(directory: string): Promise<void> {
  await rm(directory, { recursive: true, force: true });
}
