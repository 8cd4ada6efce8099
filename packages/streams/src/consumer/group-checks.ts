import { type RedisConnection, StreamGapError } from "@polars-redis/core";
import { checkGroup, type GroupCheck, nextStreamId } from "./check-group.js";
import type { ResolvedConsumerOptions } from "./consumer-options.js";
import type { EntryBook } from "./entry-book.js";

/**
 * Every `checkIntervalMs`: the group check of each stream (check-group.ts): gap detection, the group's pending
 * count and lag (stats). A gap is reported as a `stream-gap` event and, with onGap "error", thrown.
 */
export class GroupChecks {
  private nextAt = 0;

  constructor(
    private readonly conn: RedisConnection,
    private readonly options: ResolvedConsumerOptions,
    private readonly book: EntryBook,
  ) {}

  get dueAt(): number {
    return this.nextAt;
  }

  /** Runs the checks when due; resolves "nogroup" when a stream has lost its group (e.g. a restart without AOF). */
  async runIfDue(): Promise<"ok" | "nogroup"> {
    if (Date.now() < this.nextAt) return "ok";
    const result = await this.run();
    this.nextAt = Date.now() + this.options.checkIntervalMs;
    return result;
  }

  private async run(): Promise<"ok" | "nogroup"> {
    const { stats } = this.book;
    let result: "ok" | "nogroup" = "ok";
    let pending = 0;
    let lag: number | undefined = 0;
    for (const stream of this.options.streams) {
      const check = await checkGroup(this.conn, stream, this.options.group);
      if (check.status === "nogroup") {
        result = "nogroup";
        lag = undefined;
        continue;
      }
      pending += check.pending;
      lag = lag === undefined || check.lag === undefined ? undefined : lag + check.lag;
      if (check.status !== "gap") continue;
      stats.gaps++;
      stats.missing += check.missing ?? 0;
      this.book.emit({
        type: "stream-gap",
        stream,
        group: this.options.group,
        lastDeliveredId: check.lastDeliveredId,
        firstAvailableId: check.firstEntryId,
        missing: check.missing,
      });
      if (this.options.onGap === "error") throw gapError(stream, this.options.group, check);
    }
    stats.pending = pending;
    stats.lag = lag;
    return result;
  }
}

/** The gap as an error; on an empty stream the first available id is the earliest id a new entry can have. */
function gapError(stream: string, group: string, check: GroupCheck): StreamGapError {
  const lost =
    check.missing === undefined
      ? "entries after"
      : `${check.missing} ${check.missing === 1 ? "entry" : "entries"} after`;
  const left =
    check.firstEntryId === undefined
      ? `the stream is empty (last id ${check.lastGeneratedId})`
      : `the oldest entry left is ${check.firstEntryId}`;
  return new StreamGapError({
    stream,
    lastSeenId: check.lastDeliveredId,
    firstAvailableId: check.firstEntryId ?? nextStreamId(check.lastGeneratedId),
    message: `stream ${JSON.stringify(stream)} was trimmed past group ${JSON.stringify(group)}: ${lost} ${check.lastDeliveredId} were never delivered; ${left}`,
  });
}
