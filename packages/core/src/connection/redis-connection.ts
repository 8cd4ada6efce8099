import type { Cluster, Redis } from "ioredis";
import type { ConnectionClosedError } from "../errors/connection-closed-error.js";
import type { RedisCommandError } from "../errors/redis-command-error.js";
import type { RedisConnectionError } from "../errors/redis-connection-error.js";
import type { RedisTimeoutError } from "../errors/redis-timeout-error.js";
import type { RawChannel } from "../resp/raw-channel.js";

/** An argument sent to Redis. Numbers are sent as their decimal text; Buffers are sent byte for byte. */
export type RedisArgument = string | Buffer | number;

/**
 * A reply in RESP2 shape, whatever protocol the socket speaks: bulk strings as `string` (or `Buffer` when
 * asked for), integers as `number`, nil as `null`, arrays as arrays. Map replies arrive as flat
 * `[field, value, ...]` arrays, as in RESP2.
 */
export type RedisReply = string | Buffer | number | null | RedisReply[];

/** One command of a batch: the name, then its arguments. */
export type Command = readonly [name: string, ...args: RedisArgument[]];

/** The failure of one command inside a batch. Each carries `outcome`: "rejected" or "unknown". */
export type CommandError =
  | RedisCommandError
  | RedisConnectionError
  | RedisTimeoutError
  | ConnectionClosedError;

/** One entry of a batch's answer: the reply, or the error of that command alone. */
export type BatchReply = RedisReply | CommandError;

/** The Redis key types that SCAN ... TYPE understands. Module types report their own names. */
export type RedisKeyType = "string" | "list" | "set" | "zset" | "hash" | "stream" | "ReJSON-RL" | "TSDB-TYPE";

export interface BatchOptions {
  /** Commands sent per pipeline round trip. Large batches are cut into chunks of this size. [1000] */
  chunkSize?: number | undefined;
  /** Return bulk strings as Buffers instead of UTF-8 strings (binary-safe values). [false] */
  buffers?: boolean | undefined;
  /** Stop sending further chunks once aborted; commands not sent are not marked, the batch rejects. */
  signal?: AbortSignal | undefined;
}

export interface ScanKeysOptions {
  /** A glob-style pattern as SCAN MATCH understands it. ["*"] */
  pattern?: string | undefined;
  /** Only keys of this type (SCAN ... TYPE), so other types under the same pattern never trouble a scan. */
  type?: RedisKeyType | undefined;
  /** The COUNT hint of each SCAN call. [1000] */
  count?: number | undefined;
  signal?: AbortSignal | undefined;
  /**
   * Called for each key whose name is not valid UTF-8. Such keys are never yielded: decoding them would name a
   * different key, and every per-key command would then miss it. Without this callback the scan emits one
   * process warning with the count.
   */
  onNonUtf8Key?: ((key: Buffer) => void) | undefined;
}

/**
 * The small interface every package codes against. `connect()` gives one for a standalone server;
 * `connectCluster()` (package cluster) gives one for Redis Cluster. Implementations must keep these promises:
 *
 * - `call` rejects with a RedisCommandError (server error reply), RedisConnectionError or RedisTimeoutError.
 * - `batch` resolves with exactly one entry per command, in order. A failing command never fails the others.
 *   Commands that were sent but never answered (connection lost) get an error with `outcome: "unknown"`.
 * - Once the application has closed the connection, every method rejects with a ConnectionClosedError (not
 *   retryable) before anything is sent.
 * - `scanKeys` yields each SCAN page's keys (every master on a cluster); a key may appear twice only where
 *   SCAN itself allows it (the implementation removes such duplicates where it can, e.g. on a cluster restart).
 */
export interface RedisConnection {
  readonly kind: "standalone" | "cluster";
  call(command: string, ...args: RedisArgument[]): Promise<RedisReply>;
  /** Like `call`, but bulk strings come back as Buffers. */
  callBuffer(command: string, ...args: RedisArgument[]): Promise<RedisReply>;
  batch(commands: readonly Command[], options?: BatchOptions): Promise<BatchReply[]>;
  scanKeys(options?: ScanKeysOptions): AsyncIterable<string[]>;
  /** A new, dedicated connection with the same settings: for blocking reads and subscriptions. */
  duplicate(): Promise<RedisConnection>;
  /**
   * Optional capability: a dedicated RESP2 byte stream to the same server (authenticated, same database), for
   * readers that decode replies straight into Arrow buffers (see src/fast). Readers fall back to `batch` when
   * a connection does not offer it.
   */
  openRawChannel?(): Promise<RawChannel>;
  /**
   * Optional capability, for Pub/Sub: a new ioredis client of the caller's own (not connected yet: lazyConnect,
   * RESP2, no per-command retry limit) with this connection's address and credentials. A standalone server gives
   * a `Redis`; a cluster gives a `Cluster` with sharded subscribers, so SUBSCRIBE/PSUBSCRIBE (broadcast over the
   * cluster) and SSUBSCRIBE (served by the channel's slot owner) both follow failovers. The caller quits it.
   */
  pubSubClient?(): Redis | Cluster;
  close(): Promise<void>;
}
