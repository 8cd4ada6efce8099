/** Figures `onProgress` receives after each frame. */
export interface ScanProgress {
  /** Keys taken from SCAN (or from the `keys` option) so far. */
  readonly keysScanned: number;
  /** Rows yielded so far (after `filter` and `limit`). */
  readonly rows: number;
  /** Bytes of stored values read from Redis so far (field names and values; not protocol overhead). */
  readonly bytes: number;
  readonly elapsedMs: number;
}

/**
 * What a scan did, final once its iteration has ended: `scanT(...).report`, or the `onReport` option
 * (called once, when the iteration ends without an error; it is how `readT` callers get it).
 */
export interface ScanReport extends ScanProgress {
  /** Frames yielded. */
  readonly frames: number;
  /** Keys that were gone when their values were read (deleted or expired after SCAN, or never existed). */
  readonly keysMissing: number;
  /** Keys that held another type when their values were read (re-created meanwhile, or listed in `keys`). */
  readonly keysWrongType: number;
  /**
   * With `onError: "null"`: per field (column name), how many stored values could not be read as the
   * field's dtype and became null. Empty when every value converted. Counts every value the scan read,
   * including rows that `filter` dropped afterwards.
   */
  readonly coercedToNull: Readonly<Record<string, number>>;
  /** True when `limit` ended the scan before every key was read. */
  readonly limitReached: boolean;
  /** True once the iteration has ended normally (all keys read, or the limit reached). */
  readonly complete: boolean;
}

/** The mutable counters behind a report; one per iteration. */
export class ScanStats {
  readonly startedAt = performance.now();
  keysScanned = 0;
  rows = 0;
  frames = 0;
  bytes = 0;
  keysMissing = 0;
  keysWrongType = 0;
  limitReached = false;
  complete = false;
  finishedAt: number | undefined;
  readonly coercedToNull = new Map<string, number>();

  elapsedMs(): number {
    return (this.finishedAt ?? performance.now()) - this.startedAt;
  }

  progress(): ScanProgress {
    return { keysScanned: this.keysScanned, rows: this.rows, bytes: this.bytes, elapsedMs: this.elapsedMs() };
  }

  report(): ScanReport {
    return {
      ...this.progress(),
      frames: this.frames,
      keysMissing: this.keysMissing,
      keysWrongType: this.keysWrongType,
      coercedToNull: Object.fromEntries(this.coercedToNull),
      limitReached: this.limitReached,
      complete: this.complete,
    };
  }
}
