import {
  AbortedError,
  type BatchOptions,
  type BatchReply,
  type Command,
  type CommandError,
  type RedisArgument,
  RedisCommandError,
  type RedisConnection,
  type RedisReply,
  type ScanKeysOptions,
} from "@polars-redis/core";

/** Answers one command (arguments as text): a reply, or an Error standing for the server's error reply. */
export type Responder = (command: readonly string[]) => RedisReply | CommandError;

export interface RecordingConnectionOptions {
  /**
   * Answers every command sent through call, callBuffer and batch. Default: forward to `inner` when given,
   * else an ERR reply naming the unexpected command (so a test sees at once what it did not expect).
   */
  readonly respond?: Responder;
  /** A real connection to forward every command, SCAN and close to (the recording wraps it). */
  readonly inner?: RedisConnection;
  /** The keyspace SCAN sees without `inner`: key → type (as TYPE names it). */
  readonly keyspace?: ReadonlyMap<string, string>;
  /** Keys per SCAN page without `inner`. [10] */
  readonly scanPageSize?: number;
  /** What `kind` reports without `inner` (a reader plans cluster reads for "cluster"). ["standalone"] */
  readonly kind?: "standalone" | "cluster";
}

/**
 * A `RedisConnection` that records every command it receives and answers it from a responder, or forwards it
 * to a real connection (`inner`). Use it where no real server can answer (module commands on a server without
 * the module), to prove that bad input sends nothing (`commands` stays empty), or to check what was sent and
 * re-sent around a fault.
 */
export class RecordingConnection implements RedisConnection {
  /** Every command sent through call, callBuffer or batch, in order, arguments as text. */
  readonly commands: string[][] = [];
  /** The same commands as they were given (Buffers stay Buffers). */
  readonly sent: Command[] = [];
  /** The reply to each command of `commands`, in the same order (an Error for an error reply). */
  readonly replies: (RedisReply | CommandError)[] = [];
  /** The sizes of the batch calls, in order. */
  readonly batchSizes: number[] = [];
  /** The options of every scanKeys call, in order. */
  readonly scans: ScanKeysOptions[] = [];
  private readonly respond: Responder | undefined;
  private readonly inner: RedisConnection | undefined;
  private readonly keyspace: ReadonlyMap<string, string>;
  private readonly scanPageSize: number;
  private readonly ownKind: "standalone" | "cluster";

  constructor(options: RecordingConnectionOptions = {}) {
    if (options === null || typeof options !== "object")
      throw new TypeError("RecordingConnection: options must be an object");
    if (options.respond !== undefined && typeof options.respond !== "function")
      throw new TypeError("RecordingConnection: respond must be a function (command) => reply");
    if (options.inner !== undefined && typeof options.inner?.batch !== "function")
      throw new TypeError("RecordingConnection: inner must be a RedisConnection");
    const pageSize = options.scanPageSize ?? 10;
    if (!Number.isInteger(pageSize) || pageSize < 1)
      throw new RangeError(`RecordingConnection: scanPageSize must be a positive integer, got ${pageSize}`);
    this.respond = options.respond;
    this.inner = options.inner;
    this.keyspace = options.keyspace ?? new Map();
    this.scanPageSize = pageSize;
    if (options.kind !== undefined && options.kind !== "standalone" && options.kind !== "cluster")
      throw new TypeError(
        `RecordingConnection: kind must be "standalone" or "cluster", got ${String(options.kind)}`,
      );
    this.ownKind = options.kind ?? "standalone";
  }

  get kind(): "standalone" | "cluster" {
    return this.inner?.kind ?? this.ownKind;
  }

  /** How many commands were sent (SCAN calls are not commands here). */
  get sentCount(): number {
    return this.commands.length;
  }

  async call(command: string, ...args: RedisArgument[]): Promise<RedisReply> {
    const reply =
      this.inner !== undefined && this.respond === undefined
        ? await this.forward([command, ...args], () => this.inner!.call(command, ...args))
        : this.reply([command, ...args]);
    if (reply instanceof Error) throw reply;
    return reply;
  }

  async callBuffer(command: string, ...args: RedisArgument[]): Promise<RedisReply> {
    if (this.inner !== undefined && this.respond === undefined) {
      const reply = await this.forward([command, ...args], () => this.inner!.callBuffer(command, ...args));
      if (reply instanceof Error) throw reply;
      return reply;
    }
    return toBuffers(await this.call(command, ...args));
  }

  async batch(commands: readonly Command[], options: BatchOptions = {}): Promise<BatchReply[]> {
    if (options.signal?.aborted) throw new AbortedError(options.signal.reason);
    this.batchSizes.push(commands.length);
    if (this.inner !== undefined && this.respond === undefined) {
      // Replies land at the index their commands were recorded at: batches that overlap (a writer sends
      // several at once) finish in any order, and `replies[i]` must still answer `commands[i]`.
      const first = this.commands.length;
      for (const command of commands) this.record(command, toText(command));
      const replies = await this.inner.batch(commands, options);
      replies.forEach((reply, i) => {
        this.replies[first + i] = reply as RedisReply | CommandError;
      });
      return replies;
    }
    return commands.map((command) => {
      const reply = this.reply(command);
      // Like the real connection: with `buffers`, every bulk and status reply arrives as a Buffer.
      return options.buffers === true && !(reply instanceof Error) ? toBuffers(reply) : reply;
    });
  }

  scanKeys(options: ScanKeysOptions = {}): AsyncIterable<string[]> {
    this.scans.push(options);
    if (this.inner !== undefined) return this.inner.scanKeys(options);
    return this.scanModel(options);
  }

  async duplicate(): Promise<RedisConnection> {
    return this.inner === undefined ? this : this.inner.duplicate();
  }

  async close(): Promise<void> {
    await this.inner?.close();
  }

  /** The key → type pairs SCAN walks; a subclass with its own data overrides this. */
  protected keyTypes(): Iterable<readonly [string, string]> {
    return this.keyspace;
  }

  /**
   * Records a command: `commands` gets its text, `sent` the command as given. A subclass overrides it to keep
   * some commands out of the record (return false).
   */
  protected record(command: readonly RedisArgument[], text: string[]): boolean {
    this.commands.push(text);
    this.sent.push(command as Command);
    return true;
  }

  /** Answers one command that is not forwarded; the default asks `respond` (or replies ERR). */
  protected answer(text: readonly string[], _command: readonly RedisArgument[]): RedisReply | CommandError {
    return (this.respond ?? unexpected)(text);
  }

  private reply(command: readonly RedisArgument[]): RedisReply | CommandError {
    const text = toText(command);
    const recorded = this.record(command, text);
    const reply = this.answer(text, command);
    if (recorded) this.replies.push(reply);
    return reply;
  }

  private async forward(
    command: readonly RedisArgument[],
    send: () => Promise<RedisReply>,
  ): Promise<RedisReply | CommandError> {
    const index = this.commands.length;
    this.record(command, toText(command));
    const reply = await send().catch((error: CommandError) => error);
    this.replies[index] = reply;
    return reply;
  }

  private async *scanModel(options: ScanKeysOptions): AsyncIterable<string[]> {
    const matcher = globToRegExp(options.pattern ?? "*");
    const matching = [...this.keyTypes()]
      .filter(([key, type]) => matcher.test(key) && (options.type === undefined || options.type === type))
      .map(([key]) => key);
    for (let start = 0; start < matching.length; start += this.scanPageSize) {
      if (options.signal?.aborted) throw new AbortedError(options.signal.reason);
      yield matching.slice(start, start + this.scanPageSize);
    }
  }
}

/** The server's error reply for a command, as the real connection reports it inside a batch. */
export function errorReply(command: string, message: string): RedisCommandError {
  if (typeof command !== "string" || typeof message !== "string")
    throw new TypeError("errorReply: command and message must be strings");
  return new RedisCommandError({ command, message });
}

function toText(command: readonly RedisArgument[]): string[] {
  return command.map((part) => (Buffer.isBuffer(part) ? part.toString("utf8") : String(part)));
}

function unexpected(command: readonly string[]): CommandError {
  return errorReply(command[0] ?? "?", `ERR unexpected command in test: ${command.join(" ")}`);
}

/** SCAN MATCH's glob: * ? [abc] and backslash escapes. */
function globToRegExp(pattern: string): RegExp {
  let source = "";
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern[index]!;
    if (char === "*") source += ".*";
    else if (char === "?") source += ".";
    else if (char === "\\" && index + 1 < pattern.length) source += escapeRegExp(pattern[++index]!);
    else if (char === "[") {
      const end = pattern.indexOf("]", index + 1);
      source += end === -1 ? "\\[" : `[${pattern.slice(index + 1, end)}]`;
      if (end !== -1) index = end;
    } else source += escapeRegExp(char);
  }
  return new RegExp(`^${source}$`, "s");
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function toBuffers(reply: RedisReply): RedisReply {
  if (typeof reply === "string") return Buffer.from(reply, "utf8");
  if (Array.isArray(reply)) return reply.map(toBuffers);
  return reply;
}
