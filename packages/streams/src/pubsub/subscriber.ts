import { InvalidArgumentError, type RedisConnection } from "@polars-redis/core";
import { parseRedisUrl } from "@polars-redis/core/internal";
import { Redis, type RedisOptions } from "ioredis";
import type { MessageBuffer } from "./message-buffer.js";

/** Where to subscribe: a connection from connect() (a dedicated duplicate is made), a redis:// URL, or ioredis options. */
export type PubSubTarget = RedisConnection | string | RedisOptions;

/**
 * A dedicated subscriber connection feeding a MessageBuffer. ioredis re-subscribes by itself after a
 * reconnect; messages published while the connection is down are lost (Pub/Sub keeps nothing), and every
 * reconnect is counted so the application can see that a loss window occurred.
 */
export class Subscriber {
  reconnects = 0;
  received = 0;
  private readonly client: Redis;
  private readonly waiters = new Set<() => void>();
  private closed = false;

  constructor(
    target: PubSubTarget,
    private readonly buffer: MessageBuffer,
  ) {
    this.client = subscriberClient(target);
    this.client.on("error", () => {
      // Reconnects are handled by ioredis; errors surface as reconnects and in subscribe().
    });
    this.client.on("reconnecting", () => {
      this.reconnects++;
    });
    this.client.on("messageBuffer", (channel: Buffer, payload: Buffer) => {
      this.accept(channel.toString("utf8"), undefined, payload);
    });
    this.client.on("pmessageBuffer", (pattern: Buffer, channel: Buffer, payload: Buffer) => {
      this.accept(channel.toString("utf8"), pattern.toString("utf8"), payload);
    });
  }

  async subscribe(channels: readonly string[], patterns: readonly string[]): Promise<void> {
    if (this.client.status === "wait") await this.client.connect();
    if (channels.length > 0) await this.client.subscribe(...channels);
    if (patterns.length > 0) await this.client.psubscribe(...patterns);
  }

  /** Resolves when a message arrives, after `ms`, or when `signal` fires, whichever comes first. */
  waitForMessage(ms: number, signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted || this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      signal?.addEventListener("abort", done, { once: true });
      this.waiters.add(done);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const wake of [...this.waiters]) wake();
    try {
      await this.client.quit();
    } catch {
      // Already gone.
    }
    this.client.disconnect();
  }

  private accept(channel: string, pattern: string | undefined, payload: Buffer): void {
    this.received++;
    this.buffer.push({ channel, pattern, payload, receivedAt: Date.now() });
    for (const wake of [...this.waiters]) wake();
  }
}

function subscriberClient(target: PubSubTarget): Redis {
  const defaults: RedisOptions = { lazyConnect: true, protocol: 2, maxRetriesPerRequest: null };
  if (typeof target === "string") {
    const url = parseRedisUrl(target);
    return new Redis({
      ...defaults,
      host: url.host,
      port: url.port,
      db: url.db,
      ...(url.username === undefined ? {} : { username: url.username }),
      ...(url.password === undefined ? {} : { password: url.password }),
      ...(url.tls ? { tls: { servername: url.host } } : {}),
    });
  }
  const client = (target as { client?: unknown }).client;
  if (client instanceof Redis || isIoredisLike(client)) return (client as Redis).duplicate(defaults);
  if (
    target !== null &&
    typeof target === "object" &&
    typeof (target as RedisConnection).call !== "function"
  ) {
    return new Redis({ ...defaults, ...(target as RedisOptions) });
  }
  throw new InvalidArgumentError(
    "target",
    "expected a connection from connect(), a redis:// URL or ioredis options (Pub/Sub needs a client it can subscribe with)",
  );
}

function isIoredisLike(value: unknown): boolean {
  const candidate = value as { duplicate?: unknown; psubscribe?: unknown } | null;
  return (
    candidate != null &&
    typeof candidate.duplicate === "function" &&
    typeof candidate.psubscribe === "function"
  );
}
