import { RedisConnectionError } from "../errors/redis-connection-error.js";
import { RedisTimeoutError } from "../errors/redis-timeout-error.js";
import type { RawChannel } from "./raw-channel.js";
import { type RespReader, type RespValue, respValueReader } from "./reply-reader.js";

export interface RequestPipeOptions {
  /**
   * The deadline of every request: the pipe fails when the server sends nothing for this long while a request
   * waits. [the channel's `replyTimeoutMs`: the connection's command timeout on a socket channel; none on a
   * channel that bounds its own waits, such as a cluster channel]
   */
  readonly replyTimeoutMs?: number | undefined;
}

interface Request {
  /** The reader's reply count at which this request is answered. */
  readonly until: number;
  readonly command: string;
  readonly take: (() => unknown) | undefined;
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/**
 * The one request pipe of the RESP transport: pipelined requests over a RawChannel, each a run of pre-encoded
 * commands answered by as many replies, in order; the replies are decoded by a RespReader (its decoder puts
 * them wherever the owner wants: values, columns). Several requests may be in flight.
 *
 * Every request has a deadline: when the server sends no byte for `replyTimeoutMs` while any request waits,
 * the pipe fails. (A channel whose `replyTimeoutMs` is undefined bounds its own waits, e.g. a cluster channel
 * with per-node deadlines that waits out a failover; a socket channel always has one.) It also fails when the channel closes or errors, when the server sends something that is
 * not RESP2 or a reply nobody asked for, and when the owner closes it. A failed pipe rejects every waiting
 * request at once, with a RedisTimeoutError or a RedisConnectionError of outcome "unknown" (the bytes were
 * written: the server may have applied any of them), closes its channel and refuses further requests
 * (outcome "rejected"). Nothing is ever sent again on a failed pipe, so a late reply can never be matched to
 * the wrong request; the owner opens a new one.
 */
export class RequestPipe {
  private readonly queue: Request[] = [];
  private queueHead = 0;
  private failure: Error | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Chunks received: progress the deadline watches. */
  private chunksSeen = 0;
  /** Replies asked for so far. */
  private expected = 0;
  readonly replyTimeoutMs: number;

  constructor(
    readonly channel: RawChannel,
    readonly reader: RespReader,
    options: RequestPipeOptions = {},
  ) {
    this.replyTimeoutMs = options.replyTimeoutMs ?? channel.replyTimeoutMs ?? 0;
    // Idle, a pipe must not keep the process alive (an application that forgets close() still exits).
    channel.setKeepsProcessAlive?.(false);
    channel.onData((chunk) => this.onData(chunk));
    channel.onClose((error) =>
      this.fail(
        new Error(error ? `the connection closed: ${error.message}` : "the pipe was closed", {
          cause: error,
        }),
        "unknown",
      ),
    );
  }

  /** Whether the pipe has failed or was closed: it takes no more requests. */
  get closed(): boolean {
    return this.failure !== undefined;
  }

  /** Why the pipe failed, once it has. */
  get failedWith(): Error | undefined {
    return this.failure;
  }

  /** Requests written and not yet fully answered. */
  get inFlight(): number {
    return this.queue.length - this.queueHead;
  }

  /**
   * Writes `bytes` (`replies` whole RESP2 commands, each answered by one reply; or their bytes in pieces,
   * written in order) and resolves once the reader
   * has decoded their replies, with what `take` returns, called right then (before any later reply is read).
   * Rejects with a RedisTimeoutError or RedisConnectionError (outcome "unknown") if the pipe fails first, and
   * at once (outcome "rejected") if it had already failed: then nothing was sent.
   */
  send<T = void>(
    bytes: Uint8Array | readonly Uint8Array[],
    replies: number,
    command: string,
    take?: () => T,
  ): Promise<T> {
    if (this.failure !== undefined) {
      return Promise.reject(
        new RedisConnectionError({
          message: `${command}: the raw pipe is closed (${this.failure.message})`,
          outcome: "rejected",
          command,
          cause: this.failure,
        }),
      );
    }
    if (replies === 0) return Promise.resolve(take?.() as T);
    return new Promise<T>((resolve, reject) => {
      if (this.inFlight === 0) this.channel.setKeepsProcessAlive?.(true);
      this.expected += replies;
      this.queue.push({
        until: this.expected,
        command,
        take,
        resolve: resolve as (value: unknown) => void,
        reject,
      });
      this.armTimer();
      // Pieces (a command header, a view of a large value, its CRLF) go out as they are, without a copy.
      if (bytes instanceof Uint8Array) this.channel.write(bytes);
      else for (const piece of bytes) this.channel.write(piece);
    });
  }

  /** Closes the channel; requests still waiting are rejected with outcome "unknown". */
  close(reason = "the pipe was closed by its owner"): void {
    this.fail(new Error(reason), "unknown");
  }

  private onData(chunk: Buffer): void {
    if (this.failure !== undefined) return;
    this.chunksSeen++;
    try {
      this.reader.push(chunk);
    } catch (error) {
      this.fail(error as Error, "unknown");
      return;
    }
    const replies = this.reader.replies;
    if (replies > this.expected) {
      this.fail(new Error("the server sent a reply nobody asked for"), "unknown");
      return;
    }
    const queue = this.queue;
    while (this.queueHead < queue.length && queue[this.queueHead]!.until <= replies) {
      const request = queue[this.queueHead]!;
      queue[this.queueHead++] = undefined as unknown as Request;
      let value: unknown;
      try {
        value = request.take?.();
      } catch (error) {
        request.reject(error as Error);
        continue;
      }
      request.resolve(value);
    }
    if (this.queueHead === queue.length) {
      queue.length = 0;
      this.queueHead = 0;
      this.stopTimer();
      this.channel.setKeepsProcessAlive?.(false);
    } else {
      if (this.queueHead > 1024) {
        queue.splice(0, this.queueHead);
        this.queueHead = 0;
      }
      this.timer?.refresh();
    }
  }

  private armTimer(): void {
    if (this.timer !== undefined || this.replyTimeoutMs <= 0) return;
    // Every chunk received while requests wait refreshes the timer (onData): it fires after a silence.
    this.timer = setTimeout(() => {
      // The event loop may have been busy (a frame being converted, rows formatted) while replies waited in
      // the socket: Node runs timers before reading sockets, so let one round of I/O in before deciding.
      this.timer = undefined;
      const before = this.chunksSeen;
      setImmediate(() => {
        if (this.inFlight === 0 || this.failure !== undefined || this.timer !== undefined) return;
        if (this.chunksSeen !== before) this.armTimer();
        else this.fail(new Error(`no reply within ${this.replyTimeoutMs} ms`), "timeout");
      });
    }, this.replyTimeoutMs);
  }

  private stopTimer(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private fail(cause: Error, kind: "unknown" | "timeout"): void {
    if (this.failure !== undefined) return;
    this.failure = cause;
    this.stopTimer();
    this.channel.close();
    const waiting = this.queue.splice(this.queueHead);
    this.queue.length = 0;
    this.queueHead = 0;
    for (const request of waiting) {
      request.reject(
        kind === "timeout"
          ? new RedisTimeoutError({
              message: `${request.command}: ${cause.message}; the raw pipe was closed`,
              timeoutMs: this.replyTimeoutMs,
              command: request.command,
            })
          : new RedisConnectionError({
              message: `${request.command}: ${cause.message} before every reply arrived`,
              outcome: "unknown",
              command: request.command,
              cause,
            }),
      );
    }
  }
}

/**
 * A RequestPipe whose requests resolve with their replies as RespValues (errors included as RespErrorReply):
 * for writes and acknowledgements, whose replies are short.
 */
export class CommandPipe {
  private readonly values: RespValue[] = [];
  private readonly pipe: RequestPipe;

  constructor(channel: RawChannel, options: RequestPipeOptions = {}) {
    this.pipe = new RequestPipe(
      channel,
      respValueReader((reply) => this.values.push(reply)),
      options,
    );
  }

  get closed(): boolean {
    return this.pipe.closed;
  }

  get inFlight(): number {
    return this.pipe.inFlight;
  }

  get replyTimeoutMs(): number {
    return this.pipe.replyTimeoutMs;
  }

  /** Writes `bytes` (`commands` whole commands) and resolves with their replies, in order. See RequestPipe. */
  send(bytes: Uint8Array, commands: number, command: string): Promise<RespValue[]> {
    if (commands === 0 && !this.pipe.closed) return Promise.resolve([]);
    return this.pipe.send(bytes, commands, command, () => this.values.splice(0, commands));
  }

  close(): void {
    this.pipe.close();
  }
}
