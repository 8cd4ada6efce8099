import { RedisConnectionError } from "../errors/redis-connection-error.js";
import { RedisTimeoutError } from "../errors/redis-timeout-error.js";
import type { RawChannel } from "./raw-channel.js";
import { RespReplyReader, type RespValue } from "./resp-reply-reader.js";

/** How long a request may wait for the server's next reply when the channel names no timeout of its own. */
const DEFAULT_REPLY_TIMEOUT_MS = 30_000;

interface Request {
  readonly expected: number;
  readonly replies: RespValue[];
  readonly command: string;
  resolve(replies: RespValue[]): void;
  reject(error: Error): void;
}

/**
 * Pipelined requests over a RawChannel: each request is a run of pre-encoded commands, answered with their
 * replies in order. Several requests may be in flight; the server answers them first in, first out.
 *
 * The pipe fails as a whole and is then closed for good: when the channel closes, when the server sends
 * something that is not RESP2, when no reply arrives for `replyTimeoutMs` while requests wait, or when the
 * owner abandons a request (`close()`). Every waiting request is then rejected with outcome "unknown": its
 * bytes were written, and the server may have applied any of them. Nothing is ever sent again on a failed
 * pipe, so a late reply can never be matched to the wrong request; the owner opens a new one.
 */
export class CommandPipe {
  private readonly queue: Request[] = [];
  private failure: Error | undefined;
  private timer: NodeJS.Timeout | undefined;
  private repliesSeen = 0;
  private readonly replyTimeoutMs: number;

  constructor(
    private readonly channel: RawChannel,
    options: { replyTimeoutMs?: number | undefined } = {},
  ) {
    this.replyTimeoutMs = options.replyTimeoutMs ?? channel.replyTimeoutMs ?? DEFAULT_REPLY_TIMEOUT_MS;
    const reader = new RespReplyReader((reply) => this.onReply(reply));
    // Idle, a shared pipe must not keep the process alive (an application that forgets close() still exits).
    channel.setKeepsProcessAlive?.(false);
    channel.onData((chunk) => {
      try {
        reader.push(chunk);
      } catch (error) {
        this.fail(error as Error, "unknown");
      }
    });
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

  /** Requests written and not yet fully answered. */
  get inFlight(): number {
    return this.queue.length;
  }

  /**
   * Writes `bytes` (`commands` whole RESP2 commands) and resolves with their replies, errors included as
   * RespErrorReply values. Rejects with a RedisConnectionError or RedisTimeoutError (outcome "unknown") if
   * the pipe fails first, and at once (outcome "rejected") if it had already failed.
   */
  send(bytes: Uint8Array, commands: number, command: string): Promise<RespValue[]> {
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
    if (commands === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      if (this.queue.length === 0) this.channel.setKeepsProcessAlive?.(true);
      this.queue.push({ expected: commands, replies: [], command, resolve, reject });
      this.armTimer();
      this.channel.write(bytes);
    });
  }

  /** Closes the channel; requests still waiting are rejected with outcome "unknown". */
  close(): void {
    this.fail(new Error("the pipe was closed by its owner"), "unknown");
  }

  private onReply(reply: RespValue): void {
    const request = this.queue[0];
    if (request === undefined) {
      this.fail(new Error("the server sent a reply nobody asked for"), "unknown");
      return;
    }
    request.replies.push(reply);
    this.repliesSeen++;
    this.timer?.refresh();
    if (request.replies.length < request.expected) return;
    this.queue.shift();
    if (this.queue.length === 0) {
      this.stopTimer();
      this.channel.setKeepsProcessAlive?.(false);
    }
    request.resolve(request.replies);
  }

  private armTimer(): void {
    if (this.timer !== undefined || this.replyTimeoutMs <= 0) return;
    this.timer = setTimeout(() => {
      // The event loop may have been busy (a writer formatting rows) while replies waited in the socket:
      // Node runs timers before reading sockets, so let one round of I/O in before deciding.
      this.timer = undefined;
      const seen = this.repliesSeen;
      setImmediate(() => {
        if (this.queue.length === 0 || this.failure !== undefined || this.timer !== undefined) return;
        if (this.repliesSeen !== seen) this.armTimer();
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
    for (const request of this.queue.splice(0)) {
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
