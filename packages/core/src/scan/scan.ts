import pl, { type DataFrame } from "nodejs-polars";
import type { BatchReply, Command, RedisConnection } from "../connection/redis-connection.js";
import { InvalidArgumentError } from "../errors/invalid-argument-error.js";
import { requireModule } from "../errors/module-not-loaded-error.js";
import { type ScanDtype, toPolarsDtype } from "../schema/dtype.js";
import { CoercionPolicy } from "./coercion-policy.js";
import { assembleFrameFromSeries, type FrameAssembler, type NamedColumn } from "./columns/assemble-frame.js";
import type { ColumnData } from "./columns/column-data.js";
import { concatColumns } from "./columns/concat-columns.js";
import { createColumnBuilder } from "./columns/create-column-builder.js";
import { keyColumnData, ttlColumnData } from "./metadata-columns.js";
import { orderedParallel } from "./ordered-parallel.js";
import { abortedErrorOf, raceAbort } from "./race-abort.js";
import { ScanKeyBatcher } from "./scan-key-batcher.js";
import { checkFilter, type ResolvedScanOptions } from "./scan-options.js";
import type { ReadContext, ScanReader } from "./scan-reader.js";
import { type ScanReport, ScanStats } from "./scan-report.js";

/**
 * What `scanT` returns: iterate it (`for await (const frame of scan)`) to get the frames; each iteration
 * runs the scan afresh. `report` describes the latest iteration (final once it has ended).
 */
export interface ScanIterable extends AsyncIterable<DataFrame> {
  readonly report: ScanReport;
}

/** Key types that only exist with a module, and a command of that module to ask the server about. */
const MODULE_COMMANDS: Readonly<Record<string, string>> = {
  "ReJSON-RL": "JSON.GET",
  "TSDB-TYPE": "TS.RANGE",
};

/** Chunks that a batch running in parallel may prepare ahead of the consumer. */
const LOOKAHEAD_FRAMES = 1;

/**
 * Another way to produce a scan's frames for some connections (a raw RESP path for hashes): it takes the
 * scan's key batches and yields frames holding the key and TTL columns (as the options ask) and the data
 * columns, in the scan's column order; the engine still applies filter, limit, row index, progress and abort.
 */
export interface FrameSource {
  canServe(connection: RedisConnection): boolean;
  frames(
    keys: ScanKeyBatcher,
    context: ReadContext,
    sizes: { frameRows: number; maxFrameRows: number },
  ): AsyncIterable<DataFrame>;
}

/** A reader's chunk with the engine's columns added, not yet a frame. */
interface PreparedChunk {
  readonly rows: number;
  readonly columns: readonly NamedColumn[];
  /** False when the chunk carries columns found in the data: it is never joined with others. */
  readonly fixedLayout: boolean;
}

/** The scan engine: SCAN (or the key list) → batches → reader → frames, with every common option applied. */
export class Scan implements ScanIterable {
  private readonly connection: RedisConnection;
  private readonly reader: ScanReader;
  private readonly options: ResolvedScanOptions;
  private readonly assembler: FrameAssembler;
  private stats = new ScanStats();
  /** The engine's and the reader's column names: a field found in the data must not take one. */
  private readonly reservedNames: ReadonlySet<string>;

  private readonly fastSource: FrameSource | undefined;

  constructor(
    connection: RedisConnection,
    reader: ScanReader,
    options: ResolvedScanOptions,
    extensions: { assembler?: FrameAssembler; fastSource?: FrameSource } = {},
  ) {
    if (connection === null || typeof connection !== "object" || typeof connection.batch !== "function") {
      throw new InvalidArgumentError("connection", "expected a RedisConnection (see connect())");
    }
    this.connection = connection;
    this.reader = reader;
    this.options = options;
    this.assembler = extensions.assembler ?? assembleFrameFromSeries;
    this.fastSource = extensions.fastSource;
    this.reservedNames = new Set(this.columnNames());
    assertDistinctColumnNames(this.columnNames());
    // Checked against the columns the filter will see (before the row index is added), before anything is sent.
    if (options.filter !== undefined && !this.dynamicColumns) {
      const frame = this.emptyFrame();
      const rowIndex = options.rowIndexColumn;
      checkFilter(options.filter, rowIndex === undefined ? frame : frame.drop(rowIndex));
    }
  }

  get report(): ScanReport {
    return this.stats.report();
  }

  [Symbol.asyncIterator](): AsyncIterator<DataFrame> {
    return this.frames()[Symbol.asyncIterator]();
  }

  /**
   * Runs the scan. `coalesceRows` > 0 joins consecutive batches into frames of about that many rows (fewer,
   * larger frames: what `readT` wants, since each frame costs fixed Series calls); 0 yields one frame per
   * batch (per round trip for paged types), as `scanT` promises.
   */
  frames(coalesceRows = 0): AsyncIterable<DataFrame> {
    this.stats = new ScanStats();
    return this.run(this.stats, coalesceRows);
  }

  /** A frame with no rows and exactly the columns and dtypes the scan yields. */
  emptyFrame(): DataFrame {
    const columns: NamedColumn[] = [];
    const { keyColumn, ttlColumn, rowIndexColumn } = this.options;
    if (keyColumn !== undefined)
      columns.push({ name: keyColumn, data: keyColumnData([], new Int32Array(0)) });
    if (ttlColumn !== undefined)
      columns.push({ name: ttlColumn, data: ttlColumnData([], new Int32Array(0)) });
    for (const spec of this.reader.columns) columns.push({ name: spec.name, data: emptyColumn(spec.dtype) });
    const frame = columns.length > 0 ? this.assembler(columns) : pl.DataFrame({});
    return rowIndexColumn === undefined ? frame : frame.withRowIndex(rowIndexColumn, 0);
  }

  /** Whether frames may differ in columns (see ScanReader.dynamicColumns). */
  get dynamicColumns(): boolean {
    return this.reader.dynamicColumns === true;
  }

  private columnNames(): string[] {
    const { keyColumn, ttlColumn, rowIndexColumn } = this.options;
    const names = [rowIndexColumn, keyColumn, ttlColumn].filter((name): name is string => name !== undefined);
    return [...names, ...this.reader.columns.map((spec) => spec.name)];
  }

  private async *run(stats: ScanStats, coalesceRows: number): AsyncGenerator<DataFrame, void, undefined> {
    const { options, connection, reader } = this;
    const userSignal = options.signal;
    if (userSignal?.aborted) throw abortedErrorOf(userSignal);
    const controller = new AbortController();
    const onUserAbort = (): void => controller.abort(abortedErrorOf(userSignal!));
    userSignal?.addEventListener("abort", onUserAbort, { once: true });
    const context = this.createContext(controller.signal, stats);
    const keys = new ScanKeyBatcher(
      connection,
      options.keys !== undefined
        ? { kind: "list", keys: options.keys }
        : { kind: "scan", pattern: options.pattern, type: reader.keyType, countHint: options.countHint },
      {
        batchSize: options.batchSize,
        signal: controller.signal,
        onKeys: (count) => (stats.keysScanned += count),
      },
    );
    try {
      if (options.limit === 0) {
        stats.limitReached = true;
      } else {
        const frames = this.produceFrames(keys, context, controller, coalesceRows);
        for await (let frame of frames) {
          if (options.filter !== undefined) frame = frame.filter(options.filter);
          if (frame.height === 0) continue;
          if (options.limit !== undefined && frame.height > options.limit - stats.rows) {
            frame = frame.head(options.limit - stats.rows);
          }
          if (options.rowIndexColumn !== undefined)
            frame = frame.withRowIndex(options.rowIndexColumn, stats.rows);
          stats.rows += frame.height;
          stats.frames++;
          options.onProgress?.(stats.progress());
          yield frame;
          if (userSignal?.aborted) throw abortedErrorOf(userSignal);
          if (options.limit !== undefined && stats.rows >= options.limit) {
            stats.limitReached = true;
            break;
          }
        }
      }
      // SCAN ... TYPE ReJSON-RL finds nothing on a server without the module: not "no data" but a missing module.
      const moduleCommand = MODULE_COMMANDS[reader.keyType];
      if (moduleCommand !== undefined && stats.keysScanned === 0 && options.keys === undefined) {
        await requireModule(connection, moduleCommand);
      }
      stats.complete = true;
      stats.finishedAt = performance.now();
      options.onReport?.(stats.report());
    } catch (error) {
      // Whatever failed while the caller's signal fired was a consequence of the abort.
      if (userSignal?.aborted) throw abortedErrorOf(userSignal);
      throw error;
    } finally {
      stats.finishedAt ??= performance.now();
      userSignal?.removeEventListener("abort", onUserAbort);
      if (!controller.signal.aborted) controller.abort(new Error("scan ended"));
      keys.close();
    }
  }

  /**
   * The frames of a scan, with key and TTL columns, before filter/limit/row index: from the reader's batches
   * (ordered, `parallel` at a time, joined up to `coalesceRows`), or from a fast source when it can serve
   * this connection.
   */
  private produceFrames(
    keys: ScanKeyBatcher,
    context: ReadContext,
    controller: AbortController,
    coalesceRows: number,
  ): AsyncIterable<DataFrame> {
    const { options } = this;
    // Joining batches would read past a limit before the filter could count rows: not with a limit.
    const joinRows = options.limit === undefined ? coalesceRows : 0;
    if (this.fastSource?.canServe(this.connection)) {
      return this.fastSource.frames(keys, context, {
        frameRows: Math.max(joinRows, options.batchSize),
        maxFrameRows: joinRows > 0 ? Number.POSITIVE_INFINITY : options.batchSize,
      });
    }
    const chunks = orderedParallel({
      nextInput: () => keys.next(),
      run: (batch: string[]) => this.readBatch(batch, context),
      parallel: options.parallel,
      lookahead: LOOKAHEAD_FRAMES,
      stop: () => controller.abort(new Error("scan stopped")),
    });
    return this.assembleFrames(chunks, joinRows);
  }

  /** One key batch: the reader's chunks, each with the engine's columns added. */
  private async *readBatch(keys: readonly string[], context: ReadContext): AsyncGenerator<PreparedChunk> {
    const { keyColumn, ttlColumn } = this.options;
    let ttls: Promise<BatchReply[]> | undefined;
    if (ttlColumn !== undefined) {
      ttls = context.batch(keys.map((key): Command => ["PTTL", key]));
      ttls.catch(() => undefined);
    }
    for await (const chunk of this.reader.readBatch(keys, context)) {
      if (chunk.rowCount === 0) continue;
      const columns: NamedColumn[] = [];
      if (keyColumn !== undefined) {
        columns.push({ name: keyColumn, data: keyColumnData(keys, chunk.keyIndexes) });
      }
      if (ttlColumn !== undefined) {
        columns.push({ name: ttlColumn, data: ttlColumnData(await ttls!, chunk.keyIndexes) });
      }
      this.reader.columns.forEach((spec, index) => {
        columns.push({ name: spec.name, data: chunk.columns[index]! });
      });
      for (const extra of chunk.extraColumns ?? []) {
        if (this.reservedNames.has(extra.name)) {
          throw new InvalidArgumentError(
            "schema",
            `a field named ${JSON.stringify(extra.name)} clashes with a metadata column; rename the metadata column`,
          );
        }
        columns.push(extra);
      }
      yield { rows: chunk.rowCount, columns, fixedLayout: chunk.extraColumns === undefined };
    }
  }

  /**
   * Turns prepared chunks into frames. With `coalesceRows` > 0, consecutive chunks are joined until they
   * hold that many rows, so that many small batches cost one frame's worth of Series calls.
   */
  private async *assembleFrames(
    chunks: AsyncIterable<PreparedChunk>,
    coalesceRows: number,
  ): AsyncGenerator<DataFrame> {
    const assemble = (group: PreparedChunk[]): DataFrame | undefined => {
      const columns =
        group.length === 1
          ? group[0]!.columns
          : group[0]!.columns.map((column, c) => ({
              name: column.name,
              data: concatColumns(group.map((chunk) => chunk.columns[c]!.data)),
            }));
      const frame = this.assembler(columns);
      return frame.height > 0 ? frame : undefined;
    };
    let pending: PreparedChunk[] = [];
    let pendingRows = 0;
    for await (const chunk of chunks) {
      if (pending.length > 0 && !chunk.fixedLayout) {
        const frame = assemble(pending);
        pending = [];
        pendingRows = 0;
        if (frame) yield frame;
      }
      pending.push(chunk);
      pendingRows += chunk.rows;
      if (pendingRows >= coalesceRows || !chunk.fixedLayout) {
        const frame = assemble(pending);
        pending = [];
        pendingRows = 0;
        if (frame) yield frame;
      }
    }
    if (pending.length > 0) {
      const frame = assemble(pending);
      if (frame) yield frame;
    }
  }

  private createContext(signal: AbortSignal, stats: ScanStats): ReadContext {
    const connection = this.connection;
    const chunkSize = this.options.batchSize;
    return {
      connection,
      signal,
      coercion: new CoercionPolicy(this.options.onError, stats.coercedToNull),
      batch: (commands) =>
        raceAbort(connection.batch(commands, { buffers: true, signal, chunkSize }), signal),
      addBytes: (count) => {
        stats.bytes += count;
      },
      keyMissing: () => {
        stats.keysMissing++;
      },
      keyWrongType: () => {
        stats.keysWrongType++;
      },
    };
  }
}

/** A zero-row column of `dtype` (nodejs-polars builds empty nested Series only by casting a null one). */
function emptyColumn(dtype: ScanDtype): ColumnData {
  if (dtype.kind === "list" || dtype.kind === "struct") {
    return {
      dtype,
      length: 0,
      values: [],
      validity: null,
      nullCount: 0,
      series: pl.Series("", [null]).cast(toPolarsDtype(dtype)).head(0),
    };
  }
  return createColumnBuilder(dtype, 0).finish();
}

function assertDistinctColumnNames(names: readonly string[]): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) {
      throw new InvalidArgumentError(
        "columns",
        `two columns would be named ${JSON.stringify(name)}; rename one of them`,
      );
    }
    seen.add(name);
  }
}
