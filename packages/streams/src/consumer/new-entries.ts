import {
  type Command,
  isCommandError,
  type RedisArgument,
  type RedisConnection,
  SchemaMismatchError,
} from "@polars-redis/core";
import { decodedToFrame, type FastFrameLayout, fastFrameLayout } from "../fast/fast-frame.js";
import { RawStreamReads } from "../fast/raw-stream-reads.js";
import { parseMultiStreamReply, type StreamEntry } from "../frame/stream-entry.js";
import { groupBySlot } from "../internal/slot-groups.js";
import { isTransient } from "../internal/transient.js";
import { BlockingReader } from "./blocking-reader.js";
import type { ResolvedConsumerOptions } from "./consumer-options.js";
import type { DeliveredBatch, EntryBook } from "./entry-book.js";

const NO_FIELDS: readonly string[] = [];

/**
 * New entries (XREADGROUP ... `>`). Blocking reads run on a dedicated connection guarded by a watchdog
 * (BlockingReader). Without blocking, `reads` XREADGROUP commands go out in one pipeline, so a consumer that is
 * behind gets `reads` batches in one round trip; on a single server with a raw channel they are decoded
 * straight into one frame. Keys in several cluster slots cannot share one command: one command per slot group.
 * A read whose answer was lost may have delivered entries: `onLostReads` asks for a walk of the pending list.
 */
export class NewEntries {
  private readonly reader: BlockingReader;
  private readonly slotGroups: string[][];
  /** Reads decoded straight into columns over a raw channel, when the connection and the columns allow it. */
  private readonly fast: { reads: RawStreamReads; layout: FastFrameLayout } | undefined;
  private rotation = 0;

  constructor(
    private readonly conn: RedisConnection,
    private readonly options: ResolvedConsumerOptions,
    private readonly book: EntryBook,
    private readonly onLostReads: () => void,
  ) {
    this.reader = new BlockingReader(conn, options.watchdogMs, (waitedMs) => {
      book.stats.hungReads++;
      book.emit({ type: "read-hung", waitedMs });
    });
    this.slotGroups = groupBySlot(conn, options.streams);
    const layout = fastFrameLayout(options.frame);
    this.fast =
      layout !== undefined && this.slotGroups.length === 1 && RawStreamReads.available(conn)
        ? { reads: new RawStreamReads(conn, layout.wanted), layout }
        : undefined;
  }

  /** Ends a blocking read in progress at once. */
  unblock(): Promise<void> {
    return this.reader.unblock();
  }

  async close(): Promise<void> {
    this.fast?.reads.close();
    await this.reader.close();
  }

  /** New entries, waiting up to `blockMs` (0: no wait). */
  async read(blockMs: number, reads = 1): Promise<DeliveredBatch | undefined> {
    // BLOCK 0 would wait forever: a due deadline reads without blocking.
    const block = blockMs >= 1 ? Math.floor(blockMs) : undefined;
    if (this.slotGroups.length === 1 && block !== undefined) {
      return this.toBatch(
        await this.reader.read("XREADGROUP", this.readArgs(this.slotGroups[0]!, block), block),
        true,
      );
    }
    if (this.fast !== undefined && block === undefined) {
      return this.readFast(this.readArgs(this.slotGroups[0]!, undefined), reads);
    }
    // Read every slot group without blocking (then block on one slot group at a time, for a short while, so no
    // group waits long for its turn).
    const commands: Command[] = [];
    for (let read = 0; read < reads; read++) {
      for (const keys of this.slotGroups) commands.push(["XREADGROUP", ...this.readArgs(keys, undefined)]);
    }
    const replies = await this.conn.batch(commands);
    const entries: StreamEntry[] = [];
    let failure: unknown;
    for (const reply of replies) {
      if (isCommandError(reply)) failure ??= reply;
      else entries.push(...parseMultiStreamReply(reply).entries);
    }
    if (failure !== undefined) {
      // Entries the failed reads may have delivered are in this consumer's pending list: walk it again.
      this.onLostReads();
      if (entries.length === 0) throw failure;
    }
    if (entries.length > 0) return { entries, deliveries: entries.map(() => 1), source: "new" };
    if (failure === undefined) this.book.stats.lag = 0;
    if (block === undefined) return undefined;
    const keys = this.slotGroups[this.rotation++ % this.slotGroups.length]!;
    const shortBlock = Math.max(1, Math.min(block, Math.ceil(block / this.slotGroups.length)));
    return this.toBatch(
      await this.reader.read("XREADGROUP", this.readArgs(keys, shortBlock), shortBlock),
      this.slotGroups.length === 1,
    );
  }

  private readArgs(keys: readonly string[], block: number | undefined): RedisArgument[] {
    const { group, consumer, batchSize } = this.options;
    return [
      ...["GROUP", group, consumer, "COUNT", batchSize],
      ...(block === undefined ? [] : ["BLOCK", block]),
      "STREAMS",
      ...keys,
      ...keys.map(() => ">"),
    ];
  }

  /** `coversAll`: the read covered every stream, so an empty answer means the lag is zero now. */
  private toBatch(reply: unknown, coversAll: boolean): DeliveredBatch | undefined {
    const { entries } = parseMultiStreamReply(reply);
    if (entries.length > 0) return { entries, deliveries: entries.map(() => 1), source: "new" };
    if (coversAll) this.book.stats.lag = 0;
    return undefined;
  }

  /** `reads` pipelined non-blocking XREADGROUP over the raw channel, decoded straight into one frame. */
  private async readFast(args: readonly RedisArgument[], reads: number): Promise<DeliveredBatch | undefined> {
    const fast = this.fast!;
    const command = ["XREADGROUP", ...args.map(String)];
    let decoder: Awaited<ReturnType<RawStreamReads["read"]>>;
    try {
      decoder = await fast.reads.read(
        Array.from({ length: reads }, () => command),
        this.options.blockMs + this.options.watchdogMs,
      );
    } catch (error) {
      // Reads whose answers were lost may have delivered entries: they are in this consumer's pending list.
      if (isTransient(error)) this.onLostReads();
      throw error;
    }
    if (decoder.rows === 0) {
      this.book.stats.lag = 0;
      return undefined;
    }
    const entries: StreamEntry[] = decoder.ids.map((id, row) => ({
      stream: decoder.streams[decoder.streamOfRow[row]!]!,
      id,
      fields: NO_FIELDS,
    }));
    try {
      const { frame, nulled } = decodedToFrame(decoder, this.options.frame, fast.layout);
      return { entries, deliveries: entries.map(() => 1), source: "new", frame, nulled };
    } catch (error) {
      if (!SchemaMismatchError.isInstance(error)) throw error;
      // A value that does not fit: the entries come again through the ordinary path (own pending entries, with
      // their fields), where the batch fails on its own and the poison entry ends in the dead-letter stream.
      this.onLostReads();
      return undefined;
    }
  }
}
