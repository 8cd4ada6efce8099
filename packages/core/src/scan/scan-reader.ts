import type { BatchReply, Command, RedisConnection, RedisKeyType } from "../connection/redis-connection.js";
import type { ScanDtype } from "../schema/dtype.js";
import type { CoercionPolicy } from "./coercion-policy.js";
import type { NamedColumn } from "./columns/assemble-frame.js";
import type { ColumnData } from "./columns/column-data.js";

/** A column a reader produces: its name in the frame and its dtype. */
export interface ColumnSpec {
  readonly name: string;
  /** Flat dtypes are built with ColumnBuilders; list and struct columns arrive as ready Series (JSON). */
  readonly dtype: ScanDtype;
}

/**
 * Rows a reader produced for part of a key batch: typically one pipelined round trip. Row `r` belongs to
 * the key `keys[keyIndexes[r]]` of the batch; the engine adds the key, TTL and row-index columns from that.
 */
export interface RowChunk {
  readonly rowCount: number;
  readonly keyIndexes: Int32Array;
  /** One column per `ScanReader.columns` entry, in that order, each `rowCount` long. */
  readonly columns: readonly ColumnData[];
  /** Columns found in the data itself (readers with `dynamicColumns`), placed after the declared ones. */
  readonly extraColumns?: readonly NamedColumn[] | undefined;
}

/** What a reader may use while it reads a batch. */
export interface ReadContext {
  readonly connection: RedisConnection;
  /** Fires when the scan stops early (the caller's signal, `limit`, a consumer that stopped, an error). */
  readonly signal: AbortSignal;
  readonly coercion: CoercionPolicy;
  /**
   * Sends commands as one pipelined batch with binary-safe (Buffer) replies, and stops waiting as soon as the
   * scan is aborted. Per-command errors come back as values (see `isCommandError`).
   */
  batch(commands: readonly Command[]): Promise<BatchReply[]>;
  /** Counts bytes of stored data read (for progress). */
  addBytes(count: number): void;
  /** Counts a key that was gone when read (deleted or expired after SCAN). */
  keyMissing(): void;
  /** Counts a key that held another type when read. */
  keyWrongType(): void;
}

/**
 * The per-type part of a scan: how to turn a batch of keys into columns. The engine does everything else
 * (SCAN with TYPE, batching, parallel batches, TTL, key and row-index columns, filter, limit, abort,
 * progress, report). Adding a Redis type to the engine means writing one of these.
 */
export interface ScanReader {
  /** The key type SCAN filters on. */
  readonly keyType: RedisKeyType;
  /** The data columns, in frame order (they follow the engine's row-index, key and TTL columns). */
  readonly columns: readonly ColumnSpec[];
  /**
   * True when chunks may carry `extraColumns` discovered in the data (stream fields without a schema): frames
   * of one scan may then differ in columns, and `readT` concatenates them diagonally.
   */
  readonly dynamicColumns?: boolean;
  /**
   * Reads the keys' values and yields their rows, in as many chunks as it needs: one per round trip, so a
   * key with millions of members spans several chunks and is never held in memory at once. Keys that are
   * gone (or hold another type) are skipped and counted through the context.
   */
  readBatch(keys: readonly string[], context: ReadContext): AsyncIterable<RowChunk>;
}
