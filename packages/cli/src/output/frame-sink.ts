import { createWriteStream, type WriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import pl, { type DataFrame } from "nodejs-polars";
import { usageError } from "../cli-error.js";
import type { Format } from "./formats.js";
import type { Output } from "./output.js";

/**
 * Where a scan's frames go, batch by batch. csv and ndjson are written as the frames arrive (memory stays at
 * one batch); table, parquet and ipc need every row, so they hold the frames until `finish`.
 *
 * A file (`-o FILE`) is written under a temporary name in the same folder and renamed into place only by
 * `finish`: an interrupted or failed scan removes the temporary file (`abort`) and never leaves a truncated
 * FILE behind, nor replaces an existing one.
 */
export class FrameSink {
  private readonly held: DataFrame[] = [];
  private header: string[] | undefined;
  private warnedExtra = false;
  private file: WriteStream | undefined;
  private readonly temporary: string | undefined;
  rows = 0;

  constructor(
    readonly format: Format,
    private readonly out: Output,
    private readonly path: string | undefined,
  ) {
    if (path !== undefined) {
      this.temporary = join(dirname(path), `.${basename(path)}.partial-${process.pid}`);
      if (format === "csv" || format === "ndjson")
        this.file = createWriteStream(this.temporary, { flags: "wx" });
    } else if ((format === "parquet" || format === "ipc") && out.stdoutIsTerminal) {
      throw usageError(`--format ${format} is binary: write it to a file with -o FILE, or pipe stdout`);
    }
  }

  async write(frame: DataFrame): Promise<void> {
    this.rows += frame.height;
    switch (this.format) {
      case "csv": {
        const first = this.header === undefined;
        const conformed = this.conform(frame);
        if (conformed.height === 0 && !first) return;
        await this.emit(conformed.writeCSV({ includeHeader: first }));
        return;
      }
      case "ndjson":
        if (frame.height > 0) await this.emit(frame.writeJSON({ format: "lines" }));
        return;
      default:
        this.held.push(frame);
    }
  }

  /** Writes what was held, and moves a file into place. */
  async finish(): Promise<void> {
    if (this.format === "table" || this.format === "parquet" || this.format === "ipc") {
      const frame =
        this.held.length === 0
          ? pl.DataFrame({})
          : this.held.length === 1
            ? this.held[0]!
            : pl.concat(this.held, { how: "diagonalRelaxed", rechunk: true });
      if (this.format === "table") await this.emit(`${renderTable(frame)}\n`);
      else if (this.format === "parquet") await this.emit(frame.writeParquet({ compression: "zstd" }));
      else await this.emit(frame.writeIPC());
    }
    if (this.temporary !== undefined && this.path !== undefined) {
      if (this.file === undefined) {
        this.file = createWriteStream(this.temporary, { flags: "wx" });
      }
      await closeStream(this.file);
      await rename(this.temporary, this.path);
    }
  }

  /** Removes the temporary file of an interrupted or failed scan; FILE is left as it was. */
  async abort(): Promise<void> {
    if (this.file !== undefined) await closeStream(this.file).catch(() => undefined);
    if (this.temporary !== undefined) await rm(this.temporary, { force: true });
  }

  private async emit(chunk: string | Uint8Array): Promise<void> {
    if (this.temporary === undefined) {
      await this.out.write(chunk);
      return;
    }
    this.file ??= createWriteStream(this.temporary, { flags: "wx" });
    const file = this.file;
    if (!file.write(chunk)) await new Promise<void>((resolve) => file.once("drain", resolve));
  }

  /** CSV has one header: later frames are given the first frame's columns (missing ones as null). */
  private conform(frame: DataFrame): DataFrame {
    if (this.header === undefined) {
      this.header = frame.columns;
      return frame;
    }
    const columns = new Set(frame.columns);
    const extra = frame.columns.filter((name) => !this.header!.includes(name));
    if (extra.length > 0 && !this.warnedExtra) {
      this.warnedExtra = true;
      this.out.note(
        `polars-redis: warning: columns ${extra.join(", ")} appeared after the CSV header was written and are left out; use --format ndjson or --columns`,
      );
    }
    if (extra.length === 0 && frame.columns.join("\u0000") === this.header.join("\u0000")) return frame;
    return frame.select(
      ...this.header.map((name) => (columns.has(name) ? pl.col(name) : pl.lit(null).alias(name))),
    );
  }
}

function renderTable(frame: DataFrame): string {
  pl.Config.setTblRows(Math.max(frame.height, 1));
  pl.Config.setTblCols(Math.max(frame.width, 1));
  pl.Config.setTblWidthChars(process.stdout.columns ?? 160);
  return frame.toString();
}

function closeStream(stream: WriteStream): Promise<void> {
  return new Promise((resolve, reject) => {
    if (stream.closed) {
      resolve();
      return;
    }
    stream.once("error", reject);
    stream.end(() => resolve());
  });
}
