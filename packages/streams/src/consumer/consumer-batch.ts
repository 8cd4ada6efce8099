import { InvalidArgumentError } from "@polars-redis/core";
import type { DataFrame } from "nodejs-polars";
import type { StreamEntry } from "../frame/stream-entry.js";
import type { EntryRef, GroupReader } from "./group-reader.js";

/** A batch handed to the application: the rows as a DataFrame, and how to acknowledge them. */
export interface ConsumerBatch {
  /** One row per entry: `_id`, `_ts`, `_seq` (and `_stream` when several streams are read), then the fields. */
  readonly frame: DataFrame;
  /** Entry ids, row by row. */
  readonly ids: readonly string[];
  /** Stream keys, row by row. */
  readonly streams: readonly string[];
  /** How many times each row's entry has been delivered, this delivery included. */
  readonly deliveries: readonly number[];
  /** "pending": redelivered or claimed entries; "new": first delivery. */
  readonly source: "pending" | "new";
  /** Fires when the consumer is stopping: finish or give up promptly. */
  readonly signal: AbortSignal;
  /** Acknowledges the given ids (every row whose id matches), or every row not yet acknowledged. */
  ack(ids?: readonly string[]): Promise<number>;
  /** Acknowledges rows by position (unambiguous when several streams share ids). */
  ackRows(rows: readonly number[]): Promise<number>;
  /** Hands the rows not yet acknowledged back: they are delivered again later, each alone. */
  nack(reason?: unknown): void;
}

const OPEN = 0;
const DONE = 1;

export class DeliveredConsumerBatch implements ConsumerBatch {
  readonly ids: readonly string[];
  readonly streams: readonly string[];
  private readonly state: Uint8Array;

  constructor(
    private readonly engine: GroupReader,
    private readonly entries: readonly StreamEntry[],
    readonly frame: DataFrame,
    readonly deliveries: readonly number[],
    readonly source: "pending" | "new",
  ) {
    this.ids = entries.map((entry) => entry.id);
    this.streams = entries.map((entry) => entry.stream);
    this.state = new Uint8Array(entries.length);
  }

  get signal(): AbortSignal {
    return this.engine.signal;
  }

  /** True when no row is left to acknowledge or hand back. */
  get settled(): boolean {
    return this.state.every((value) => value !== OPEN);
  }

  ack(ids?: readonly string[]): Promise<number> {
    if (ids === undefined) return this.ackRows(this.openRows());
    if (!Array.isArray(ids)) throw new InvalidArgumentError("ids", "expected an array of entry ids");
    const wanted = new Set(ids);
    const rows: number[] = [];
    this.ids.forEach((id, row) => {
      if (wanted.has(id)) rows.push(row);
    });
    return this.ackRows(rows);
  }

  ackRows(rows: readonly number[]): Promise<number> {
    const refs: EntryRef[] = [];
    for (const row of rows) {
      if (!Number.isInteger(row) || row < 0 || row >= this.entries.length) {
        throw new InvalidArgumentError(
          "rows",
          `row ${row} is outside the batch (0..${this.entries.length - 1})`,
        );
      }
      if (this.state[row] !== OPEN) continue;
      this.state[row] = DONE;
      refs.push(this.entries[row]!);
    }
    return this.engine.ack(refs);
  }

  nack(reason?: unknown): void {
    const refs = this.openRows().map((row) => {
      this.state[row] = DONE;
      return this.entries[row]!;
    });
    this.engine.release(refs, describeFailure(reason));
  }

  /**
   * Rows neither acknowledged nor handed back: left pending, without counting as a failure (consumer stopped).
   * They are no longer kept alive by the heartbeat, so another consumer can claim them.
   */
  abandon(): void {
    const refs = this.openRows().map((row) => this.entries[row]!);
    this.state.fill(DONE);
    this.engine.abandon(refs);
  }

  private openRows(): number[] {
    const rows: number[] = [];
    this.state.forEach((value, row) => {
      if (value === OPEN) rows.push(row);
    });
    return rows;
  }
}

export function describeFailure(reason: unknown): string {
  if (reason === undefined) return "handed back (nack)";
  const text = reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason);
  return text.length > 500 ? `${text.slice(0, 500)}...` : text;
}
