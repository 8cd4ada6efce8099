import pl, { type DataFrame } from "nodejs-polars";
import type { Command, RedisConnection } from "../../connection/redis-connection.js";
import { takesRawPath } from "../../resp/raw-path.js";
import { columnToSeries } from "../columns/column-to-series.js";
import { ttlColumnData } from "../metadata-columns.js";
import { raceAbort } from "../race-abort.js";
import type { ScalarField } from "../scalar-field.js";
import type { FrameSource } from "../scan.js";
import type { ScanKeyBatcher } from "../scan-key-batcher.js";
import type { ResolvedScanOptions } from "../scan-options.js";
import type { ReadContext } from "../scan-reader.js";
import { emptyFastHashReport, readHashFrames } from "./raw/read-hash-frames.js";

/** Name of the key column the fast read builds when the scan needs keys (for TTL) but does not show them. */
const HIDDEN_KEY_COLUMN = "\u0000key";
/** Pages of keys written ahead of their replies: enough to keep the server busy, bounded in memory. */
const MIN_PAGES_IN_FLIGHT = 4;

/**
 * Hash values read over a raw RESP2 channel straight into Arrow columns (scan/hashes/raw: no per-value JS
 * objects), used when the connection takes the raw path for keyed commands (core's takesRawPath: a single
 * server, or a cluster whose raw channel routes each command to its key's master). Every page has the
 * channel's deadline (the connection's command timeout). Same keys (the engine's SCAN TYPE or key list), same
 * conversions and error policy, same counts; the engine applies filter, limit and the rest.
 */
export class FastHashSource implements FrameSource {
  private readonly fields: readonly ScalarField[];
  private readonly projected: boolean;
  private readonly options: ResolvedScanOptions;

  constructor(fields: readonly ScalarField[], projected: boolean, options: ResolvedScanOptions) {
    this.fields = fields;
    this.projected = projected;
    this.options = options;
  }

  canServe(connection: RedisConnection): boolean {
    // HGETALL/HMGET name their key: a cluster connection's raw channel routes each to its key's master.
    return takesRawPath(connection, "keyed");
  }

  async *frames(
    keys: ScanKeyBatcher,
    context: ReadContext,
    sizes: { frameRows: number; maxFrameRows: number },
  ): AsyncGenerator<DataFrame> {
    const { keyColumn, ttlColumn, onError, parallel } = this.options;
    const opening = context.connection.openRawChannel!();
    const channel = await raceAbort(opening, context.signal).catch((error: unknown) => {
      opening.then(
        (opened) => opened.close(),
        () => undefined,
      );
      throw error;
    });
    channel.onData((chunk) => context.addBytes(chunk.length));
    const report = emptyFastHashReport();
    const builtKeyColumn = keyColumn ?? (ttlColumn === undefined ? undefined : HIDDEN_KEY_COLUMN);
    const pages = (async function* () {
      for (let batch = await keys.next(); batch !== undefined; batch = await keys.next()) yield batch;
    })();
    let missingSeen = 0;
    let wrongTypeSeen = 0;
    const nullsSeen = new Map<string, number>();
    const frames = readHashFrames(
      channel,
      pages,
      {
        fields: this.fields,
        projected: this.projected,
        keyColumn: builtKeyColumn,
        frameRows: sizes.frameRows,
        pagesInFlight: Math.max(MIN_PAGES_IN_FLIGHT, parallel),
        onError,
        signal: context.signal,
        keysExist: async (candidates) => {
          const replies = await context.batch(candidates.map((key): Command => ["EXISTS", key]));
          return replies.map((reply) => Number(reply) === 1);
        },
      },
      report,
    );
    for await (const frame of frames) {
      for (; missingSeen < report.missingKeys; missingSeen++) context.keyMissing();
      for (; wrongTypeSeen < report.wrongTypeKeys; wrongTypeSeen++) context.keyWrongType();
      for (const [field, count] of report.coercedToNull) {
        context.coercion.countNulled(field, count - (nullsSeen.get(field) ?? 0));
        nullsSeen.set(field, count);
      }
      for (let offset = 0; offset < frame.height; offset += sizes.maxFrameRows) {
        const part = frame.height <= sizes.maxFrameRows ? frame : frame.slice(offset, sizes.maxFrameRows);
        yield await this.withTtl(part, builtKeyColumn, context);
      }
    }
  }

  /** Adds the TTL column after the key (PTTL for the frame's keys), and drops a key column only TTL needed. */
  private async withTtl(
    frame: DataFrame,
    builtKeyColumn: string | undefined,
    context: ReadContext,
  ): Promise<DataFrame> {
    const { keyColumn, ttlColumn } = this.options;
    if (ttlColumn === undefined || builtKeyColumn === undefined) return frame;
    const keys = frame.getColumn(builtKeyColumn).toArray() as string[];
    const replies = await context.batch(keys.map((key): Command => ["PTTL", key]));
    const ttl = columnToSeries(
      ttlColumn,
      ttlColumnData(
        replies,
        Int32Array.from(keys, (_, i) => i),
      ),
    );
    const order = [
      ...(keyColumn === undefined ? [] : [keyColumn]),
      ttlColumn,
      ...this.fields.map((field) => field.name),
    ];
    return pl.DataFrame([...frame.getColumns(), ttl]).select(...order);
  }
}
