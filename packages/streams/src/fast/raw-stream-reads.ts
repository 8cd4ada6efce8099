import {
  encodeCommands,
  type RawChannel,
  RedisCommandError,
  type RedisConnection,
  RedisConnectionError,
  RedisTimeoutError,
} from "@polars-redis/core";
import { StreamReplyDecoder } from "./stream-reply-decoder.js";

/**
 * Pipelined stream reads over a dedicated raw RESP2 channel (when the connection offers one): the commands go
 * out as bytes in one write, and the replies are decoded straight into columns by a StreamReplyDecoder,
 * skipping the per-value JS objects a general client makes. Used for the reads of a consumer that is behind.
 */
export class RawStreamReads {
  private channel: RawChannel | undefined;
  private opening: Promise<RawChannel> | undefined;
  private decoder: StreamReplyDecoder;
  private waiter: { replies: number; resolve: () => void; reject: (error: Error) => void } | undefined;

  constructor(
    private readonly conn: RedisConnection,
    private readonly wanted: readonly string[] | undefined,
  ) {
    this.decoder = new StreamReplyDecoder(wanted);
  }

  /** A single server with a raw channel (on a cluster a channel would reach one node, not the stream's). */
  static available(conn: RedisConnection): boolean {
    return conn.kind === "standalone" && typeof conn.openRawChannel === "function";
  }

  /**
   * Sends the commands and resolves with the decoder holding their rows (the caller turns them into a frame,
   * then calls `decoder.resetRows()`). Rejects with the first error reply, a lost connection, or a timeout.
   */
  async read(commands: readonly (readonly string[])[], timeoutMs: number): Promise<StreamReplyDecoder> {
    const channel = await this.open();
    const decoder = this.decoder;
    decoder.resetRows();
    const target = decoder.replies + commands.length;
    let timer: NodeJS.Timeout | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        this.waiter = { replies: target, resolve, reject };
        timer = setTimeout(() => {
          this.discard(channel);
          reject(
            new RedisTimeoutError({
              message: `XREADGROUP: no complete reply within ${timeoutMs} ms; the raw channel was replaced`,
              timeoutMs,
              command: "XREADGROUP",
            }),
          );
        }, timeoutMs);
        channel.write(encodeCommands(commands));
      });
    } finally {
      clearTimeout(timer);
      this.waiter = undefined;
    }
    if (decoder.errors.length > 0) {
      throw new RedisCommandError({ message: decoder.errors[0]!, command: "XREADGROUP" });
    }
    return decoder;
  }

  close(): void {
    if (this.channel !== undefined) this.discard(this.channel);
  }

  private async open(): Promise<RawChannel> {
    if (this.channel !== undefined) return this.channel;
    this.opening ??= (async () => {
      const channel = await this.conn.openRawChannel!();
      const decoder = new StreamReplyDecoder(this.wanted);
      channel.onData((chunk) => {
        try {
          decoder.push(chunk);
        } catch (error) {
          this.discard(channel);
          this.waiter?.reject(error as Error);
          return;
        }
        if (this.waiter !== undefined && decoder.replies >= this.waiter.replies) this.waiter.resolve();
      });
      channel.onClose((error) => {
        if (this.channel === channel) this.channel = undefined;
        this.waiter?.reject(
          new RedisConnectionError({
            message: `XREADGROUP: the raw channel closed before every reply arrived (${error?.message ?? "closed"})`,
            outcome: "unknown",
            command: "XREADGROUP",
            cause: error,
          }),
        );
      });
      this.decoder = decoder;
      this.channel = channel;
      return channel;
    })().finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  private discard(channel: RawChannel): void {
    if (this.channel === channel) this.channel = undefined;
    channel.close();
  }
}
