/** What a long scan or write reports while it runs. */
export interface ProgressFigures {
  readonly label: string;
  readonly done: number;
  readonly total?: number;
  readonly unit: string;
  readonly extra?: string;
}

/**
 * Progress on stderr, so it never mixes with the data on stdout. On a terminal one line is redrawn in place;
 * otherwise (`--progress` in a pipe or a log) a line is printed at most once per `intervalMs`. Off with
 * `--quiet`, and by default when stderr is not a terminal.
 */
export class Progress {
  private lastPrinted = 0;
  private drawn = false;

  constructor(
    private readonly stderr: NodeJS.WritableStream & { isTTY?: boolean },
    readonly enabled: boolean,
    private readonly intervalMs = 1000,
  ) {}

  update(figures: ProgressFigures): void {
    if (!this.enabled) return;
    const now = performance.now();
    const interval = this.stderr.isTTY ? 100 : this.intervalMs;
    if (now - this.lastPrinted < interval) return;
    this.lastPrinted = now;
    this.print(figures);
  }

  /** Prints the final figures (always, when enabled) and ends the redrawn line. */
  finish(figures?: ProgressFigures): void {
    if (!this.enabled) return;
    if (figures !== undefined) this.print(figures);
    if (this.drawn && this.stderr.isTTY) this.stderr.write("\n");
    this.drawn = false;
  }

  private print(figures: ProgressFigures): void {
    const total = figures.total === undefined ? "" : `/${figures.total}`;
    const extra = figures.extra === undefined ? "" : `, ${figures.extra}`;
    const text = `${figures.label}: ${figures.done}${total} ${figures.unit}${extra}`;
    if (this.stderr.isTTY) {
      this.stderr.write(`\r\x1b[2K${text}`);
      this.drawn = true;
    } else {
      this.stderr.write(`progress ${text}\n`);
    }
  }
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
