import { RedisCommandError, type RedisConnection } from "@polars-redis/core";
import {
  encodeCommands,
  findLineEnd,
  type ReplyDecoder,
  RequestPipe,
  RespEncoder,
  RespErrorReply,
  RespReader,
  type RespValue,
  RespValueDecoder,
  readInteger,
  takesRawPath,
} from "@polars-redis/core/internal";

/**
 * Chunk GETs and SETs over a raw RESP channel of the connection (core's RequestPipe, so every request has the
 * connection's command timeout as its deadline and a dead or silent channel fails with RedisTimeoutError or
 * RedisConnectionError of outcome "unknown"). What it saves over the connection's own client:
 * - reads: a chunk's bytes are copied from the socket's buffers straight into their place in the payload
 *   buffer (RespReader's bulk targets), with no per-chunk Buffer and no copy into the payload afterwards;
 * - writes: a chunk goes out as a command header, views of polars' output and a trailer, without the copy a
 *   client makes to encode a command.
 *
 * Reads take any connection that offers raw channels ("keyed": a cluster channel routes each GET to its
 * key's master; every chunk of an entry shares the head's slot). Writes send a command in pieces, which only a
 * single server's socket channel carries, so they take the raw path on a standalone connection only. Others
 * use `call`/`callBuffer`.
 */
export class RawChunks {
  private constructor(
    private readonly pipe: RequestPipe,
    private readonly decoder: ChunkReplyDecoder,
  ) {}

  /** Whether the pipe failed or was closed (a new one is opened for the next request). */
  get closed(): boolean {
    return this.pipe.closed;
  }

  /** The channel's deadline, in ms (0: none). */
  get replyTimeoutMs(): number {
    return this.pipe.replyTimeoutMs;
  }

  /**
   * GET `key` into `target`: "ok" once its bytes are there, "missing" when the key does not exist, or an
   * Error when the reply is an error or a value of another length (nothing usable was written then).
   */
  get(key: string, target: Uint8Array): Promise<"ok" | "missing" | Error> {
    this.decoder.expectBulk(target);
    return this.pipe.send(encodeCommands([["GET", key]]), 1, "GET", () => this.decoder.takeBulk());
  }

  /**
   * SET `key` to the bytes of `pieces` (their total length is `bytes`), then the extra arguments (`PX ms`):
   * written as pieces without copying them. Resolves with the reply (an error reply as RespErrorReply).
   */
  set(
    key: string,
    pieces: readonly Uint8Array[],
    bytes: number,
    extra: readonly string[],
  ): Promise<RespValue> {
    const head = Buffer.from(
      `*${3 + extra.length}\r\n$3\r\nSET\r\n$${Buffer.byteLength(key)}\r\n${key}\r\n$${bytes}\r\n`,
    );
    const encoder = new RespEncoder(64);
    encoder.raw(CRLF); // ends the value
    for (const arg of extra) encoder.text(arg);
    const trailer = encoder.take();
    this.decoder.expectValue();
    return this.pipe.send([head, ...pieces, trailer], 1, "SET", () => this.decoder.takeValue());
  }

  /**
   * A command answered by an array of bulk strings (HMGET), each as a Buffer of its own (null for a nil): binary
   * values such as an inline payload come back as they are. An error reply rejects with a RedisCommandError.
   */
  async fields(args: readonly string[]): Promise<(Buffer | null)[]> {
    this.decoder.expectFields();
    const reply = await this.pipe.send(encodeCommands([args]), 1, args[0]!, () => this.decoder.takeFields());
    if (reply instanceof RespErrorReply)
      throw new RedisCommandError({ message: reply.message, command: args[0]! });
    return reply;
  }

  /** Any short command (EVAL of the publish script), in order behind the SETs sent before it. */
  command(args: readonly string[]): Promise<RespValue> {
    this.decoder.expectValue();
    return this.pipe.send(encodeCommands([args]), 1, args[0]!, () => this.decoder.takeValue());
  }

  close(): void {
    this.pipe.close();
  }

  /** The connection's raw chunk pipe for `use`, opened on first use; undefined when it has no raw channels. */
  /**
   * The connection's pipe when it is open already and usable for `use`, without waiting; undefined when it is
   * still opening, failed, or was never opened (RawChunks.for opens it).
   */
  static ready(conn: RedisConnection, use: "read" | "write"): RawChunks | undefined {
    if (!takesRawPath(conn, use === "read" ? "keyed" : "any")) return undefined;
    const chunks = ready.get(conn);
    return chunks !== undefined && !chunks.closed ? chunks : undefined;
  }

  static async for(conn: RedisConnection, use: "read" | "write"): Promise<RawChunks | undefined> {
    if (!takesRawPath(conn, use === "read" ? "keyed" : "any")) return undefined;
    const current = opened.get(conn);
    if (current !== undefined) {
      const chunks = await current.catch(() => undefined);
      if (chunks !== undefined && !chunks.closed) return chunks;
      if (opened.get(conn) !== current) return RawChunks.for(conn, use);
    }
    const opening = conn.openRawChannel!().then((channel) => {
      const decoder = new ChunkReplyDecoder();
      const chunks = new RawChunks(new RequestPipe(channel, new RespReader(decoder)), decoder);
      if (opened.get(conn) === opening) ready.set(conn, chunks);
      return chunks;
    });
    opened.set(conn, opening);
    opening.catch(() => {
      if (opened.get(conn) === opening) opened.delete(conn);
    });
    return opening;
  }
}

const CRLF = Buffer.from("\r\n");

/** One raw chunk pipe per connection, shared by its reads and writes, replaced once it has failed. */
const opened = new WeakMap<RedisConnection, Promise<RawChunks>>();
/** The pipe of `opened` once it has opened (for RawChunks.ready). */
const ready = new WeakMap<RedisConnection, RawChunks>();

type Expected = { kind: "bulk"; target: Uint8Array } | { kind: "value" } | { kind: "fields" };

/**
 * Decodes the replies of RawChunks' requests in the order they were sent: a GET's bulk string goes into its
 * target (streamed as it arrives, or copied when it arrived whole), anything else becomes a RespValue.
 */
class ChunkReplyDecoder implements ReplyDecoder {
  private readonly expected: Expected[] = [];
  private readonly bulkResults: ("ok" | "missing" | Error)[] = [];
  private readonly values: RespValue[] = [];
  private readonly fieldResults: ((Buffer | null)[] | RespErrorReply)[] = [];
  private readonly valueDecoder = new RespValueDecoder((value) => this.values.push(value));

  expectBulk(target: Uint8Array): void {
    this.expected.push({ kind: "bulk", target });
  }

  expectValue(): void {
    this.expected.push({ kind: "value" });
  }

  expectFields(): void {
    this.expected.push({ kind: "fields" });
  }

  takeFields(): (Buffer | null)[] | RespErrorReply {
    return this.fieldResults.shift()!;
  }

  takeBulk(): "ok" | "missing" | Error {
    return this.bulkResults.shift()!;
  }

  takeValue(): RespValue {
    return this.values.shift()!;
  }

  decode(buffer: Uint8Array, start: number): number {
    const next = this.expected[0];
    if (next === undefined || next.kind === "value") {
      const end = this.valueDecoder.decode(buffer, start);
      if (end >= 0) this.expected.shift();
      return end;
    }
    if (next.kind === "fields") return this.decodeFields(buffer, start);
    // A GET: copy a whole bulk string into its target; a nil or an error is kept as the result.
    const before = this.values.length;
    if (buffer[start] !== DOLLAR) {
      const end = this.valueDecoder.decode(buffer, start);
      if (end < 0) return end;
      const value = this.values.splice(before, 1)[0];
      this.expected.shift();
      this.bulkResults.push(
        value instanceof RespErrorReply
          ? new RedisCommandError({ message: value.message, command: "GET" })
          : new Error(`GET answered ${JSON.stringify(value)}, not a string`),
      );
      return end;
    }
    const lineEnd = findLineEnd(buffer, start + 1);
    if (lineEnd < 0) return -(buffer.length + 1);
    const length = readInteger(buffer, start + 1, lineEnd);
    if (length < 0) {
      this.expected.shift();
      this.bulkResults.push("missing");
      return lineEnd + 2;
    }
    const end = lineEnd + 2 + length + 2;
    if (end > buffer.length) return -end;
    this.expected.shift();
    if (length !== next.target.length) {
      this.bulkResults.push(new Error(`${length} bytes, expected ${next.target.length}`));
    } else {
      next.target.set(buffer.subarray(lineEnd + 2, lineEnd + 2 + length));
      this.bulkResults.push("ok");
    }
    return end;
  }

  /** An array of bulk strings (or nils) as Buffers of their own; an error reply as RespErrorReply. */
  private decodeFields(buffer: Uint8Array, start: number): number {
    if (buffer[start] !== STAR) {
      const before = this.values.length;
      const end = this.valueDecoder.decode(buffer, start);
      if (end < 0) return end;
      const value = this.values.splice(before, 1)[0];
      this.expected.shift();
      this.fieldResults.push(
        value instanceof RespErrorReply
          ? value
          : new RespErrorReply(`ERR not an array: ${JSON.stringify(value)}`),
      );
      return end;
    }
    const lineEnd = findLineEnd(buffer, start + 1);
    if (lineEnd < 0) return -(buffer.length + 1);
    const count = readInteger(buffer, start + 1, lineEnd);
    const items: (Buffer | null)[] = [];
    let at = lineEnd + 2;
    for (let index = 0; index < count; index++) {
      if (at >= buffer.length) return -(buffer.length + 1);
      if (buffer[at] !== DOLLAR)
        throw new Error(`an array item of type "${String.fromCharCode(buffer[at]!)}", not a bulk string`);
      const itemLineEnd = findLineEnd(buffer, at + 1);
      if (itemLineEnd < 0) return -(buffer.length + 1);
      const length = readInteger(buffer, at + 1, itemLineEnd);
      if (length < 0) {
        items.push(null);
        at = itemLineEnd + 2;
        continue;
      }
      const end = itemLineEnd + 2 + length + 2;
      if (end > buffer.length) return -end;
      // A copy: the reader reuses the memory it decodes from.
      items.push(Buffer.from(buffer.subarray(itemLineEnd + 2, itemLineEnd + 2 + length)));
      at = end;
    }
    this.expected.shift();
    this.fieldResults.push(items);
    return at;
  }

  bulkTarget(length: number): Uint8Array | undefined {
    const next = this.expected[0];
    if (next === undefined || next.kind !== "bulk" || length !== next.target.length) return undefined;
    this.expected.shift();
    this.bulkResults.push("ok");
    return next.target;
  }
}

const DOLLAR = 0x24;
const STAR = 0x2a;
