import { AbortedError } from "@polars-redis/core";

interface QueuedPage {
  readonly keys: string[];
  readonly taken: () => void;
}

/**
 * Hands pages from several producers (one per master being scanned) to one consumer. A producer's `put`
 * resolves once the consumer has taken its page, so at most one page per producer waits in memory.
 */
export class PageChannel {
  private readonly pages: QueuedPage[] = [];
  private wake: (() => void) | undefined;
  private finished = false;
  private failure: { error: unknown } | undefined;
  private readonly dropped: Array<(error: unknown) => void> = [];

  put(keys: string[]): Promise<void> {
    if (this.failure !== undefined || this.finished)
      return Promise.reject(new AbortedError("the scan has stopped"));
    return new Promise<void>((resolve, reject) => {
      this.pages.push({ keys, taken: resolve });
      this.dropped.push(reject);
      this.notify();
    });
  }

  /** The next page, or undefined once `finish` was called and every page was taken. */
  async take(): Promise<string[] | undefined> {
    for (;;) {
      if (this.failure !== undefined) throw this.failure.error;
      const page = this.pages.shift();
      if (page !== undefined) {
        this.dropped.shift();
        page.taken();
        return page.keys;
      }
      if (this.finished) return undefined;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }

  finish(): void {
    this.finished = true;
    this.notify();
  }

  /** Ends the channel with an error: the consumer gets it, waiting producers are released. */
  fail(error: unknown): void {
    this.failure ??= { error };
    this.release(error);
    this.notify();
  }

  /** The consumer left: release producers waiting on `put`. */
  close(): void {
    this.finished = true;
    this.release(new AbortedError("the scan was closed by its consumer"));
  }

  private release(error: unknown): void {
    this.pages.length = 0;
    for (const reject of this.dropped.splice(0)) reject(error);
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
