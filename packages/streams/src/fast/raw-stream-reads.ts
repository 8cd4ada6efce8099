import { RedisCommandError, type RedisConnection } from "@polars-redis/core";
import { encodeCommands, RequestPipe, RespReader, takesRawPath } from "@polars-redis/core/internal";
import { StreamReplyDecoder } from "./stream-reply-decoder.js";

/**
 * Pipelined stream reads over a dedicated raw RESP2 channel (when the connection offers one): the commands go
 * out as bytes in one write, and the replies are decoded straight into columns by a StreamReplyDecoder,
 * skipping the per-value JS objects a general client makes. Used for the reads of a consumer that is behind.
 *
 * The reads go through core's RequestPipe: each has the connection's command timeout as its deadline (or the
 * caller's bound, when shorter), and a channel that dies or times out fails the read with a typed error
 * (RedisTimeoutError, or RedisConnectionError with outcome "unknown") and is replaced on the next read.
 */
export class RawStreamReads {
  private pipe: RequestPipe | undefined;
  private opening: Promise<RequestPipe> | undefined;
  private decoder: StreamReplyDecoder;

  constructor(
    private readonly conn: RedisConnection,
    private readonly wanted: readonly string[] | undefined,
  ) {
    this.decoder = new StreamReplyDecoder(wanted);
  }

  /** Core's raw-path check for `"any"` commands: XREADGROUP over several streams needs a single server. */
  static available(conn: RedisConnection): boolean {
    return takesRawPath(conn, "any");
  }

  /**
   * Sends the commands and resolves with the decoder holding their rows (the caller turns them into a frame,
   * then calls `decoder.resetRows()`). Rejects with the first error reply, a lost connection, or a timeout:
   * the connection's command timeout, or `boundMs` when that is shorter (or the connection names none).
   */
  async read(commands: readonly (readonly string[])[], boundMs: number): Promise<StreamReplyDecoder> {
    const pipe = await this.open(boundMs);
    const decoder = this.decoder;
    decoder.resetRows();
    try {
      await pipe.send(encodeCommands(commands), commands.length, "XREADGROUP");
    } finally {
      if (pipe.closed && this.pipe === pipe) this.pipe = undefined;
    }
    if (decoder.errors.length > 0) {
      throw new RedisCommandError({ message: decoder.errors[0]!, command: "XREADGROUP" });
    }
    return decoder;
  }

  close(): void {
    this.pipe?.close();
    this.pipe = undefined;
  }

  private async open(boundMs: number): Promise<RequestPipe> {
    if (this.pipe !== undefined && !this.pipe.closed) return this.pipe;
    this.opening ??= (async () => {
      const channel = await this.conn.openRawChannel!();
      const decoder = new StreamReplyDecoder(this.wanted);
      const connectionMs = channel.replyTimeoutMs;
      const pipe = new RequestPipe(channel, new RespReader(decoder), {
        replyTimeoutMs:
          connectionMs === undefined || connectionMs <= 0 ? boundMs : Math.min(connectionMs, boundMs),
      });
      this.decoder = decoder;
      this.pipe = pipe;
      return pipe;
    })().finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }
}
