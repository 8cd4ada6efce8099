import type {
  BatchOptions,
  BatchReply,
  Command,
  RedisArgument,
  RedisConnection,
  RedisReply,
  ScanKeysOptions,
} from "@polars-redis/core";

/** Wraps a real connection and records every command sent through `batch`, to check what was (re-)sent. */
export class RecordingConnection implements RedisConnection {
  readonly sent: Command[] = [];
  /** Commands the server refused with NOSCRIPT (they are re-sent with EVAL and do not count as sent). */
  private readonly refusedScripts = new Set<Command>();

  constructor(private readonly inner: RedisConnection) {}

  get kind(): "standalone" | "cluster" {
    return this.inner.kind;
  }

  call(command: string, ...args: RedisArgument[]): Promise<RedisReply> {
    return this.inner.call(command, ...args);
  }

  callBuffer(command: string, ...args: RedisArgument[]): Promise<RedisReply> {
    return this.inner.callBuffer(command, ...args);
  }

  async batch(commands: readonly Command[], options?: BatchOptions): Promise<BatchReply[]> {
    this.sent.push(...commands);
    const replies = await this.inner.batch(commands, options);
    replies.forEach((reply, index) => {
      if (reply instanceof Error && reply.message.startsWith("NOSCRIPT"))
        this.refusedScripts.add(commands[index]!);
    });
    return replies;
  }

  scanKeys(options?: ScanKeysOptions): AsyncIterable<string[]> {
    return this.inner.scanKeys(options);
  }

  duplicate(): Promise<RedisConnection> {
    return this.inner.duplicate();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  /** How many times each key was sent in a script call (EVALSHA/EVAL numkeys key...), NOSCRIPT refusals aside. */
  scriptKeyCounts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const command of this.sent) {
      const [name, , numkeys, ...rest] = command;
      if ((name !== "EVALSHA" && name !== "EVAL") || this.refusedScripts.has(command)) continue;
      for (const key of rest.slice(0, Number(numkeys)))
        counts.set(String(key), (counts.get(String(key)) ?? 0) + 1);
    }
    return counts;
  }
}
