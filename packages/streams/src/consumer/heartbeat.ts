import type { Command, RedisConnection } from "@polars-redis/core";
import { commandsPerStream } from "./acks.js";
import { XCLAIM } from "./commands/xclaim.js";
import type { ResolvedConsumerOptions } from "./consumer-options.js";
import type { EntryBook } from "./entry-book.js";

/**
 * Resets the idle time of the entries in flight (XCLAIM to itself, min-idle 0, JUSTID) every
 * `heartbeatIntervalMs`, so no other consumer claims them while they are processed. Entries handed back, timed
 * out or abandoned are no longer in flight, so they age and become claimable.
 */
export class Heartbeat {
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private readonly conn: RedisConnection,
    private readonly options: ResolvedConsumerOptions,
    private readonly book: EntryBook,
  ) {
    if (options.claimIdleMs > 0 && options.heartbeatIntervalMs > 0) {
      this.timer = setInterval(() => void this.beat(), options.heartbeatIntervalMs);
      this.timer.unref();
    }
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async beat(): Promise<void> {
    if (this.running || this.book.inFlight.size === 0) return;
    this.running = true;
    try {
      const { group, consumer } = this.options;
      const commands = commandsPerStream(
        this.book.inFlight.entries().flatMap(([stream, ids]) => ids.map((id) => ({ stream, id }))),
        (stream, ids) =>
          XCLAIM.transformArguments(stream, group, consumer, 0, ids, { justId: true }) as Command,
      );
      await this.conn.batch(commands.map(([command]) => command));
    } catch {
      // A missed heartbeat only risks a claim by another consumer, which at-least-once delivery allows.
    } finally {
      this.running = false;
    }
  }
}
