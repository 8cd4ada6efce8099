import type { RedisConnection, RedisKeyType } from "../connection/redis-connection.js";
import { raceAbort } from "./race-abort.js";

/** Where the keys come from: SCAN over a pattern (with TYPE when given), or the caller's own list. */
export type KeyOrigin =
  | {
      readonly kind: "scan";
      readonly pattern: string;
      readonly type?: RedisKeyType | undefined;
      readonly countHint: number;
    }
  | { readonly kind: "list"; readonly keys: readonly string[] };

/**
 * Hands out keys in batches of `batchSize`, re-cutting SCAN's pages (whose sizes the server chooses), and keeps
 * the next batch's SCAN calls running while the current batch is processed (one batch ahead, no more: memory
 * stays bounded). `onKeys` counts keys as they arrive; `close` abandons SCAN early. Used by the scans and by
 * the key utilities that walk a pattern (deleteKeysMatching, scanKeyInfo).
 */
export class ScanKeyBatcher {
  private readonly batchSize: number;
  private readonly signal: AbortSignal;
  private readonly onKeys: (count: number) => void;
  private readonly listed: readonly string[] | undefined;
  private listedOffset = 0;
  private readonly pages: AsyncIterator<string[]> | undefined;
  private pending: string[] = [];
  private pagesDone = false;
  private prefetch: Promise<string[] | undefined> | undefined;

  constructor(
    connection: RedisConnection,
    origin: KeyOrigin,
    options: { batchSize: number; signal: AbortSignal; onKeys?: (count: number) => void },
  ) {
    this.batchSize = options.batchSize;
    this.signal = options.signal;
    this.onKeys = options.onKeys ?? (() => undefined);
    if (origin.kind === "list") this.listed = origin.keys;
    else {
      this.pages = connection
        .scanKeys({
          pattern: origin.pattern,
          ...(origin.type === undefined ? {} : { type: origin.type }),
          count: origin.countHint,
          signal: options.signal,
        })
        [Symbol.asyncIterator]();
    }
  }

  /** The next batch of keys, or undefined when there are no more. Not to be called concurrently. */
  async next(): Promise<string[] | undefined> {
    const batch = await (this.prefetch ?? this.fetch());
    this.prefetch = batch === undefined ? undefined : this.fetch();
    // A prefetch that fails is reported by the next call to next(); never as an unhandled rejection.
    this.prefetch?.catch(() => undefined);
    return batch;
  }

  /** Every remaining batch, in order; leaving the loop early does not close the batcher (call close()). */
  async *batches(): AsyncGenerator<string[], void, undefined> {
    for (let batch = await this.next(); batch !== undefined; batch = await this.next()) yield batch;
  }

  /** Stops SCAN; keys not handed out yet are dropped. */
  close(): void {
    this.pagesDone = true;
    this.prefetch?.catch(() => undefined);
    this.pages?.return?.().catch(() => undefined);
  }

  private async fetch(): Promise<string[] | undefined> {
    if (this.listed !== undefined) {
      if (this.listedOffset >= this.listed.length) return undefined;
      const batch = this.listed.slice(this.listedOffset, this.listedOffset + this.batchSize);
      this.listedOffset += batch.length;
      this.onKeys(batch.length);
      return batch;
    }
    while (this.pending.length < this.batchSize && !this.pagesDone) {
      const page = await raceAbort(this.pages!.next(), this.signal);
      if (page.done) this.pagesDone = true;
      else {
        this.onKeys(page.value.length);
        for (const key of page.value) this.pending.push(key);
      }
    }
    if (this.pending.length === 0) return undefined;
    const batch =
      this.pending.length <= this.batchSize ? this.pending : this.pending.slice(0, this.batchSize);
    this.pending = this.pending.length <= this.batchSize ? [] : this.pending.slice(this.batchSize);
    return batch;
  }
}
