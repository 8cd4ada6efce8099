import pl from "nodejs-polars";
import type { Command, RedisConnection, RedisKeyType, RedisReply } from "../connection/redis-connection.js";
import { throwIfAborted } from "../errors/aborted-error.js";
import { InvalidArgumentError } from "../errors/invalid-argument-error.js";
import { type KeyOrigin, ScanKeyBatcher } from "../scan/scan-key-batcher.js";
import { int64Column } from "./int64-column.js";
import { checkBatchSize, checkInteger, checkKeyCall, type KeyCommandOptions } from "./key-options.js";
import { type KeySource, resolveKeys } from "./key-source.js";
import { replyOrThrow } from "./reply-or-throw.js";

export interface KeyInfoOptions extends KeyCommandOptions {
  /** SCAN pattern of the keys to describe. ["*" unless `keys` is given] */
  pattern?: string | undefined;
  /** Describe exactly these keys instead of scanning (a missing key gets a row with key_type "none"). */
  keys?: KeySource | undefined;
  /** The key column when `keys` is a DataFrame. ["_key"] */
  keyColumn?: string | undefined;
  /** With `pattern`: only keys of this type (SCAN ... TYPE). */
  type?: RedisKeyType | undefined;
  /** Add `memory_usage` (MEMORY USAGE, bytes) and `encoding` (OBJECT ENCODING). [true] */
  includeMemory?: boolean | undefined;
  /** The COUNT hint of each SCAN call. [batchSize] */
  countHint?: number | undefined;
}

/**
 * Describes keys as DataFrames, one per batch of `batchSize` keys, so a pattern matching millions of keys is
 * described in bounded memory. Columns: `key` (Utf8), `key_type` (Utf8: string, hash, list, set, zset, stream,
 * ReJSON-RL, TSDB-TYPE, ... or "none"), `ttl` (Int64 seconds; -1 no expiry, -2 missing), and with
 * `includeMemory` `memory_usage` (Int64 bytes, null when unknown) and `encoding` (Utf8, null when unknown).
 *
 * With `pattern`, keys deleted between SCAN and the lookup are left out; with `keys`, every key gets a row.
 * Commands are single-key (TYPE, TTL, MEMORY USAGE, OBJECT ENCODING), pipelined, so they route on a cluster.
 */
export async function* scanKeyInfo(
  conn: RedisConnection,
  options: KeyInfoOptions = {},
): AsyncGenerator<pl.DataFrame> {
  checkKeyCall("scanKeyInfo", conn, options);
  const batchSize = checkBatchSize(options.batchSize);
  const includeMemory = options.includeMemory ?? true;
  const listed = options.keys !== undefined;
  let origin: KeyOrigin;
  if (listed) {
    if (options.pattern !== undefined || options.type !== undefined) {
      throw new InvalidArgumentError("keys", "give either keys or pattern/type, not both");
    }
    origin = { kind: "list", keys: resolveKeys(options.keys!, options.keyColumn ?? "_key") };
  } else {
    const pattern = options.pattern ?? "*";
    if (typeof pattern !== "string" || pattern.length === 0) {
      throw new InvalidArgumentError("pattern", "expected a non-empty SCAN pattern");
    }
    const countHint = checkInteger("countHint", options.countHint, batchSize, 1);
    origin = { kind: "scan", pattern, type: options.type, countHint };
  }
  throwIfAborted(options.signal);
  const keys = new ScanKeyBatcher(conn, origin, {
    batchSize,
    signal: options.signal ?? new AbortController().signal,
  });
  try {
    for await (const batch of keys.batches()) {
      throwIfAborted(options.signal);
      // With `pattern`, a key deleted since SCAN has no row; with `keys`, every key has one.
      const frame = await describe(conn, batch, includeMemory, !listed, options.signal);
      if (frame.height > 0) yield frame;
    }
  } finally {
    keys.close();
  }
}

/** All of `scanKeyInfo`'s batches as one DataFrame (see scanKeyInfo for the columns). */
export async function keyInfo(conn: RedisConnection, options: KeyInfoOptions = {}): Promise<pl.DataFrame> {
  checkKeyCall("keyInfo", conn, options);
  const frames: pl.DataFrame[] = [];
  for await (const frame of scanKeyInfo(conn, options)) frames.push(frame);
  if (frames.length === 0) return emptyKeyInfo(options.includeMemory ?? true);
  if (frames.length === 1) return frames[0]!;
  return pl.concat(frames, { how: "diagonal" });
}

async function describe(
  conn: RedisConnection,
  keys: readonly string[],
  includeMemory: boolean,
  dropMissing: boolean,
  signal: AbortSignal | undefined,
): Promise<pl.DataFrame> {
  const perKey = includeMemory ? 4 : 2;
  const commands: Command[] = [];
  for (const key of keys) {
    commands.push(["TYPE", key], ["TTL", key]);
    if (includeMemory) commands.push(["MEMORY", "USAGE", key], ["OBJECT", "ENCODING", key]);
  }
  const replies = await conn.batch(commands, { signal });

  const keyColumn: string[] = [];
  const types: string[] = [];
  const ttls = new Float64Array(keys.length);
  const memory: (number | null)[] = [];
  const encodings: (string | null)[] = [];
  for (let index = 0; index < keys.length; index++) {
    const base = index * perKey;
    const type = String(replyOrThrow(replies[base]!));
    if (dropMissing && type === "none") continue;
    ttls[keyColumn.length] = replyOrThrow(replies[base + 1]!) as number;
    keyColumn.push(keys[index]!);
    types.push(type);
    if (includeMemory) {
      memory.push(asNumberOrNull(optionalReply(replies[base + 2]!)));
      encodings.push(asStringOrNull(optionalReply(replies[base + 3]!)));
    }
  }
  const columns = [
    pl.Series("key", keyColumn, pl.Utf8),
    pl.Series("key_type", types, pl.Utf8),
    int64Column("ttl", ttls.subarray(0, keyColumn.length)),
  ];
  if (includeMemory) {
    columns.push(pl.Series("memory_usage", memory, pl.Int64), pl.Series("encoding", encodings, pl.Utf8));
  }
  return pl.DataFrame(columns);
}

/**
 * MEMORY USAGE and OBJECT ENCODING answer nil (or "ERR no such key" on older servers) for a key that vanished
 * after TYPE; that is an unknown value, not a failure. Other errors (a lost connection) still fail the call.
 */
function optionalReply(reply: Parameters<typeof replyOrThrow>[0]): RedisReply {
  if (reply instanceof Error && /no such key/i.test(reply.message)) return null;
  return replyOrThrow(reply);
}

function asNumberOrNull(reply: RedisReply): number | null {
  return typeof reply === "number" ? reply : null;
}

function asStringOrNull(reply: RedisReply): string | null {
  return reply === null ? null : String(reply);
}

function emptyKeyInfo(includeMemory: boolean): pl.DataFrame {
  const columns: pl.Series[] = [
    pl.Series("key", [], pl.Utf8),
    pl.Series("key_type", [], pl.Utf8),
    pl.Series("ttl", [], pl.Int64),
  ];
  if (includeMemory)
    columns.push(pl.Series("memory_usage", [], pl.Int64), pl.Series("encoding", [], pl.Utf8));
  return pl.DataFrame(columns);
}
