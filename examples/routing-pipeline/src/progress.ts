/** A one-line live progress bar on a terminal; on a pipe or a file, one plain line every few seconds. */
export class Progress {
  private readonly tty = Boolean(process.stdout.isTTY);
  private lastPlainAt = 0;
  private lastLength = 0;

  update(line: string): void {
    if (this.tty) {
      const padded = line.padEnd(this.lastLength);
      this.lastLength = line.length;
      process.stdout.write(`\r${padded}`);
      return;
    }
    const now = Date.now();
    if (now - this.lastPlainAt < 2000) return;
    this.lastPlainAt = now;
    process.stdout.write(`${line}\n`);
  }

  /** Prints a message on its own line, keeping the bar below it on a terminal. */
  note(message: string): void {
    if (this.tty && this.lastLength > 0) process.stdout.write(`\r${" ".repeat(this.lastLength)}\r`);
    this.lastLength = 0;
    process.stdout.write(`${message}\n`);
  }

  done(): void {
    if (this.tty && this.lastLength > 0) process.stdout.write("\n");
    this.lastLength = 0;
  }
}

export function bar(fraction: number, width = 30): string {
  const filled = Math.max(0, Math.min(width, Math.round(fraction * width)));
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}]`;
}

export function formatCount(value: number): string {
  return Math.round(value).toLocaleString("en-US");
}
