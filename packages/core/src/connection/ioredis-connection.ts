import { isUtf8 } from "node:buffer";
import type { Redis } from "ioredis";
import { throwIfAborted } from "../errors/aborted-error.js";
import { ConnectionClosedError } from "../errors/connection-closed-error.js";
import { RedisCommandError, redisCodeOf } from "../errors/redis-command-error.js";
import { RedisConnectionError } from "../errors/redis-connection-error.js";
import { openRawChannel, type RawChannel } from "../resp/raw-channel.js";
import type {
  BatchOptions,
  BatchReply,
  Command,
  CommandError,
  RedisArgument,
  RedisConnection,
  RedisReply,
  ScanKeysOptions,
} from "./redis-connection.js";
import { type Endpoint, toCommandError } from "./to-polars-redis-error.js";

/** Pipelines kept in flight at once by `batch`: enough to hide the round trip, few enough to bound memory. */
const CHUNKS_IN_FLIGHT = 4;
const DEFAULT_CHUNK_SIZE = 1000;
const DEFAULT_SCAN_COUNT = 1000;
/** How long close() waits for QUIT's reply before dropping the socket. */
const QUIT_GRACE_MS = 1000;

/** A RedisConnection over one ioredis client talking to a standalone server. */
export class IoredisConnection implements RedisConnection {
  readonly kind = "standalone" as const;
  readonly client: Redis;
  private readonly endpoint: Endpoint;
  private readonly timeoutMs: number;
  /** Whether `close()` may shut the client down: not when the application handed us its own client. */
  private readonly owned: boolean;
  private closed = false;
  /** Raw channels opened through this connection: closed with it. */
  private readonly rawChannels = new Set<RawChannel>();

  constructor(client: Redis, options: { owned: boolean }) {
    this.client = client;
    this.owned = options.owned;
    this.endpoint = { host: client.options.host, port: client.options.port };
    this.timeoutMs = client.options.commandTimeout ?? 0;
    // Only where options.host is the server itself: not over a Unix socket, not through Sentinel (host is then
    // a default, not the master), not behind a natMap (the address to use is the mapped one).
    const direct =
      client.options.path == null &&
      (client.options.sentinels == null || client.options.sentinels.length === 0) &&
      client.options.natMap == null;
    if (direct) this.openRawChannel = () => this.openRawSocket();
  }

  private async openRawSocket(): Promise<RawChannel> {
    this.assertOpen();
    // ioredis fills absent options with null, not undefined.
    const { host, port, username, password, db, tls, connectTimeout, connectionName } = this.client.options;
    const channel = await openRawChannel({
      host: host ?? "localhost",
      port: port ?? 6379,
      ...(username == null ? {} : { username }),
      ...(password == null ? {} : { password }),
      ...(db == null ? {} : { db }),
      ...(tls == null ? {} : { tls }),
      ...(connectTimeout == null ? {} : { connectTimeoutMs: connectTimeout }),
      ...(this.timeoutMs > 0 ? { replyTimeoutMs: this.timeoutMs } : {}),
      ...(connectionName == null ? {} : { clientName: connectionName }),
    });
    if (this.closed) {
      channel.close();
      throw new RedisConnectionError({
        message: "cannot open a raw channel: the connection closed meanwhile",
        ...this.endpoint,
        outcome: "rejected",
      });
    }
    this.rawChannels.add(channel);
    channel.onClose(() => this.rawChannels.delete(channel));
    return channel;
  }

  async call(command: string, ...args: RedisArgument[]): Promise<RedisReply> {
    this.assertOpen(command);
    try {
      return (await this.client.call(command, ...args)) as RedisReply;
    } catch (error) {
      throw this.commandError(error, command);
    }
  }

  async callBuffer(command: string, ...args: RedisArgument[]): Promise<RedisReply> {
    this.assertOpen(command);
    try {
      return (await this.client.callBuffer(command, ...args)) as RedisReply;
    } catch (error) {
      throw this.commandError(error, command);
    }
  }

  /**
   * Closed by the application (our close(), or quit()/disconnect() on its own client): a ConnectionClosedError,
   * not retryable, thrown before anything is sent.
   */
  private assertOpen(command?: string): void {
    if (this.closed || this.client.status === "end") {
      throw new ConnectionClosedError(command === undefined ? {} : { command });
    }
  }

  /** A command that failed because the application closed the connection while it was in flight is not retryable. */
  private commandError(error: unknown, command: string): CommandError {
    if (this.closed || this.client.status === "end") {
      return new ConnectionClosedError({ command, outcome: "unknown", cause: error });
    }
    return toCommandError(error, command, this.endpoint, this.timeoutMs);
  }

  async batch(commands: readonly Command[], options: BatchOptions = {}): Promise<BatchReply[]> {
    this.assertOpen();
    const chunkSize = Math.max(1, options.chunkSize ?? DEFAULT_CHUNK_SIZE);
    const replies: BatchReply[] = new Array(commands.length);
    const starts: number[] = [];
    for (let start = 0; start < commands.length; start += chunkSize) starts.push(start);

    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < starts.length) {
        throwIfAborted(options.signal);
        const start = starts[next++]!;
        await this.runPipeline(
          commands,
          start,
          Math.min(start + chunkSize, commands.length),
          replies,
          options,
        );
      }
    };
    await Promise.all(Array.from({ length: Math.min(CHUNKS_IN_FLIGHT, starts.length) }, worker));
    return replies;
  }

  private async runPipeline(
    commands: readonly Command[],
    from: number,
    to: number,
    replies: BatchReply[],
    options: BatchOptions,
  ): Promise<void> {
    const pipeline = this.client.pipeline();
    for (let i = from; i < to; i++) {
      const [name, ...args] = commands[i]!;
      if (options.buffers) pipeline.callBuffer(name, ...args);
      else pipeline.call(name, ...args);
    }
    let results: [Error | null, unknown][] | null;
    try {
      results = await pipeline.exec();
    } catch (error) {
      results = null;
      for (let i = from; i < to; i++) replies[i] = this.commandError(error, commands[i]![0]);
    }
    if (results === null) return;
    for (let i = from; i < to; i++) {
      const [error, reply] = results[i - from] ?? [new Error("Connection is closed."), null];
      replies[i] = error ? this.commandError(error, commands[i]![0]) : (reply as RedisReply);
    }
  }

  scanKeys(options: ScanKeysOptions = {}): AsyncGenerator<string[]> {
    this.assertOpen("SCAN");
    return this.scanKeyPages(options);
  }

  private async *scanKeyPages(options: ScanKeysOptions): AsyncGenerator<string[]> {
    const { pattern = "*", type, count = DEFAULT_SCAN_COUNT, signal } = options;
    const nonUtf8 = nonUtf8KeyHandler(options.onNonUtf8Key);
    let cursor = "0";
    do {
      throwIfAborted(signal);
      const args: RedisArgument[] = [cursor, "MATCH", pattern, "COUNT", count];
      if (type !== undefined) args.push("TYPE", type);
      // Buffers, not strings: a key that is not UTF-8 must be recognised, not silently renamed by decoding.
      const [nextCursor, rawKeys] = (await this.callBuffer("SCAN", ...args)) as [Buffer, Buffer[]];
      cursor = nextCursor.toString();
      const keys = decodeKeys(rawKeys, nonUtf8.onKey);
      if (keys.length > 0) yield keys;
    } while (cursor !== "0");
    nonUtf8.finish(pattern);
  }

  /**
   * A raw RESP2 socket with this client's endpoint, credentials, database and TLS settings. Only for TCP
   * clients: an ioredis client on a Unix socket (`path`) leaves it undefined and readers use `batch`.
   */
  readonly openRawChannel?: () => Promise<RawChannel>;

  pubSubClient(): Redis {
    this.assertOpen();
    return this.client.duplicate({ lazyConnect: true, protocol: 2, maxRetriesPerRequest: null });
  }

  async duplicate(): Promise<RedisConnection> {
    this.assertOpen();
    const copy = this.client.duplicate({ lazyConnect: true });
    return openConnection(copy, this.endpoint);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Raw channels are ours even when the client is the application's.
    for (const channel of this.rawChannels) channel.close();
    if (!this.owned) return;
    // QUIT waits for a reply; a server that stopped answering must not keep close() pending.
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, QUIT_GRACE_MS);
    });
    await Promise.race([this.client.quit().catch(() => undefined), gaveUp]);
    clearTimeout(timer);
    this.client.disconnect();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/**
 * Connects a lazy ioredis client and wraps it. A connection that cannot be opened rejects with a
 * RedisConnectionError naming host and port; the client is shut down instead of retrying in the background.
 */
export async function openConnection(client: Redis, endpoint: Endpoint): Promise<IoredisConnection> {
  let lastError: Error | undefined;
  // Keep a listener at all times: without one ioredis prints "Unhandled error event" on every reconnect try.
  client.on("error", (error: Error) => {
    lastError = error;
  });
  client.on("close", () => failUnansweredCommands(client));
  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    const reason = lastError ?? (error as Error);
    if (isServerReply(reason)) {
      // NOAUTH, WRONGPASS, NOPERM, an invalid db: the server answered, and will answer the same next time.
      throw new RedisCommandError({
        message: `cannot connect to Redis at ${endpoint.host}:${endpoint.port}: ${reason.message}`,
        command: "AUTH",
        redisCode: redisCodeOf(reason.message),
        cause: reason,
      });
    }
    throw new RedisConnectionError({
      message: `cannot connect to Redis at ${endpoint.host}:${endpoint.port}: ${reason.message}`,
      ...endpoint,
      outcome: "rejected",
      cause: reason,
    });
  }
  return new IoredisConnection(client, { owned: true });
}

/**
 * Wraps an application's own, already safe client (RESP2, no re-send of in-flight commands) without taking
 * ownership: `close()` leaves it open. Its unanswered commands still fail at once when its connection drops.
 */
export async function adoptConnection(client: Redis): Promise<IoredisConnection> {
  client.on("close", () => failUnansweredCommands(client));
  if (client.status === "wait") await client.connect();
  return new IoredisConnection(client, { owned: false });
}

/**
 * With `autoResendUnfulfilledCommands: false`, ioredis keeps the commands that were sent but not answered when
 * the connection closed in `prevCommandQueue`, then drops them on reconnect without settling their promises:
 * they would only fail at `commandTimeout` (or never, without one). Reject them as soon as the connection
 * closes, so a batch learns at once that their outcome is unknown. ("close" is emitted on the next tick after
 * ioredis has moved them aside.)
 */
function failUnansweredCommands(client: Redis): void {
  const internals = client as unknown as {
    prevCommandQueue?: {
      length: number;
      shift(): { command: { reject(error: Error): void } } | undefined;
    } | null;
  };
  const queue = internals.prevCommandQueue;
  if (!queue) return;
  internals.prevCommandQueue = null;
  while (queue.length > 0) queue.shift()?.command.reject(new Error("Connection is closed."));
}

/** Decodes SCAN's key names, handing the ones that are not valid UTF-8 to `onNonUtf8`. */
export function decodeKeys(rawKeys: readonly Buffer[], onNonUtf8: (key: Buffer) => void): string[] {
  const keys: string[] = [];
  for (const raw of rawKeys) {
    if (isUtf8(raw)) keys.push(raw.toString("utf8"));
    else onNonUtf8(raw);
  }
  return keys;
}

/** The caller's handler, or a counter that warns once at the end of the scan. */
export function nonUtf8KeyHandler(callback: ((key: Buffer) => void) | undefined): {
  onKey: (key: Buffer) => void;
  finish: (pattern: string) => void;
} {
  if (callback) return { onKey: callback, finish: () => undefined };
  let skipped = 0;
  return {
    onKey: () => {
      skipped++;
    },
    finish: (pattern) => {
      if (skipped > 0) {
        process.emitWarning(
          `scanKeys(${JSON.stringify(pattern)}) skipped ${skipped} key(s) whose names are not valid UTF-8; ` +
            "pass onNonUtf8Key to handle them",
          { code: "POLARS_REDIS_NON_UTF8_KEY" },
        );
      }
    },
  };
}

/** An error reply from the server, as opposed to a transport failure (ioredis names these ReplyError). */
function isServerReply(error: Error): boolean {
  const name = error.constructor?.name;
  return error.name === "ReplyError" || name === "ReplyError" || name === "SimpleError";
}
