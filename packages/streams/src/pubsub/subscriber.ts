import { InvalidArgumentError, type RedisConnection } from "@polars-redis/core";
import { parseRedisUrl, withLegacyReplies } from "@polars-redis/core/internal";
import { type Cluster, Redis, type RedisOptions } from "ioredis";
import type { MessageBuffer } from "./message-buffer.js";

/**
 * Where to subscribe: a connection from connect() or connectCluster() (a dedicated client is made with its
 * `pubSubClient` capability), a redis:// URL, or ioredis options.
 */
export type PubSubTarget = RedisConnection | string | RedisOptions;

/**
 * A dedicated subscriber connection feeding a MessageBuffer. ioredis re-subscribes by itself after a
 * reconnect; messages published while the connection is down are lost (Pub/Sub keeps nothing), and every
 * reconnect is counted so the application can see that a loss window occurred.
 */
export class Subscriber {
  reconnects = 0;
  received = 0;
  private readonly client: Redis | Cluster;
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
    this.client.on("smessageBuffer", (channel: Buffer, payload: Buffer) => {
      this.accept(channel.toString("utf8"), undefined, payload);
    });
  }

  async subscribe(
    channels: readonly string[],
    patterns: readonly string[],
    shardChannels: readonly string[] = [],
  ): Promise<void> {
    if (this.client.status === "wait") await this.client.connect();
    if (channels.length > 0) await this.client.subscribe(...channels);
    if (patterns.length > 0) await this.client.psubscribe(...patterns);
    // One SSUBSCRIBE per channel: a cluster serves each channel where its slot lives.
    for (const channel of shardChannels) await this.client.ssubscribe(channel);
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

function subscriberClient(target: PubSubTarget): Redis | Cluster {
  const defaults: Omit<RedisOptions, "replyMapping"> = {
    lazyConnect: true,
    protocol: 2,
    maxRetriesPerRequest: null,
  };
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
  if (
    target !== null &&
    typeof target === "object" &&
    typeof (target as RedisConnection).call === "function"
  ) {
    const connection = target as RedisConnection;
    if (typeof connection.pubSubClient === "function") return connection.pubSubClient();
    throw new InvalidArgumentError(
      "target",
      "this connection cannot open a Pub/Sub client (it has no pubSubClient capability): pass a connection from connect() or connectCluster(), a redis:// URL or ioredis options",
    );
  }
  if (target !== null && typeof target === "object")
    return new Redis({ ...defaults, ...withLegacyReplies(target as RedisOptions, "target.replyMapping") });
  throw new InvalidArgumentError(
    "target",
    "expected a connection from connect() or connectCluster(), a redis:// URL or ioredis options",
  );
}
