import type { Writable } from "node:stream";

/**
 * stdout and stderr for a command. Writes to stdout wait for the stream to drain, so a slow reader (a pipe into
 * `less`) holds the scan back instead of filling memory. A reader that goes away (`| head`) closes the pipe: the
 * command sees `closed` and stops; that is not an error.
 */
export class Output {
  private broken = false;

  constructor(
    readonly stdout: Writable & { isTTY?: boolean },
    readonly stderr: Writable & { isTTY?: boolean },
  ) {
    stdout.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EPIPE") this.broken = true;
      else throw error;
    });
  }

  /** The reader of stdout has gone away (EPIPE). */
  get closed(): boolean {
    return this.broken;
  }

  get stdoutIsTerminal(): boolean {
    return this.stdout.isTTY === true;
  }

  /** Writes to stdout and waits until it may take more. */
  async write(chunk: string | Uint8Array): Promise<void> {
    if (this.broken) return;
    if (this.stdout.write(chunk)) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        this.stdout.off("drain", done);
        this.stdout.off("error", done);
        this.stdout.off("close", done);
        resolve();
      };
      this.stdout.on("drain", done);
      this.stdout.on("error", done);
      this.stdout.on("close", done);
    });
  }

  async line(text = ""): Promise<void> {
    await this.write(`${text}\n`);
  }

  /** One JSON document on stdout (pretty on a terminal, one line in a pipe, so `jq` and `ndjson` tools take it). */
  async json(value: unknown): Promise<void> {
    await this.line(JSON.stringify(value, jsonReplacer, this.stdoutIsTerminal ? 2 : undefined));
  }

  /** A line on stderr (messages, warnings, progress): never mixed into the data on stdout. */
  note(text: string): void {
    this.stderr.write(`${text}\n`);
  }

  /** Resolves once everything written to stdout has been handed to the OS. */
  async flush(): Promise<void> {
    if (this.broken || this.stdout.writableLength === 0) return;
    await this.write("");
  }
}

/** BigInts as numbers when exact, else as strings; Maps as objects. */
export function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === "bigint") {
    return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  }
  if (value instanceof Map) return Object.fromEntries(value);
  return value;
}
