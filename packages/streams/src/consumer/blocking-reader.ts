import {
  PolarsRedisError,
  type RedisArgument,
  type RedisConnection,
  type RedisReply,
  RedisTimeoutError,
} from "@polars-redis/core";

/**
 * Blocking reads (XREADGROUP ... BLOCK) on a dedicated connection: a blocked connection can serve nobody else.
 *
 * The watchdog: a blocking read must answer within its BLOCK time. After a reconnect or a network partition a
 * read can hang with no error (the request or its answer went nowhere). When blockMs + watchdogMs pass without
 * an answer, the connection is closed and replaced, and the read fails with a retryable RedisTimeoutError, so
 * the caller re-reads its own pending entries (the lost read may have delivered some) and carries on.
 */
export class BlockingReader {
  private connection: RedisConnection | undefined;
  private opening: Promise<RedisConnection> | undefined;
  private clientId: number | undefined;
  private reading = false;

  constructor(
    private readonly source: RedisConnection,
    private readonly watchdogMs: number,
    private readonly onHung: (waitedMs: number) => void,
  ) {}

  async read(command: string, args: readonly RedisArgument[], blockMs: number): Promise<RedisReply> {
    const connection = await this.open();
    const limitMs = blockMs + this.watchdogMs;
    let timer: NodeJS.Timeout | undefined;
    const watchdog = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.onHung(limitMs);
        void this.discard(connection);
        reject(
          new RedisTimeoutError({
            message: `${command}: a blocking read gave no answer within ${limitMs} ms; its connection was replaced`,
            timeoutMs: limitMs,
            command,
          }),
        );
      }, limitMs);
    });
    this.reading = true;
    try {
      return await Promise.race([connection.call(command, ...args), watchdog]);
    } catch (error) {
      // Whatever went wrong, start the next read on a fresh connection with a known client id.
      if (!PolarsRedisError.isInstance(error) || error.code !== "COMMAND") void this.discard(connection);
      throw error;
    } finally {
      this.reading = false;
      clearTimeout(timer);
    }
  }

  /** Ends a blocking read early (as if its BLOCK time had passed): used when stopping. */
  async unblock(): Promise<void> {
    if (!this.reading || this.clientId === undefined) return;
    try {
      await this.source.call("CLIENT", "UNBLOCK", this.clientId);
    } catch {
      // The read ends by itself within blockMs anyway.
    }
  }

  async close(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    this.opening = undefined;
    if (connection !== undefined) await closeWithin(connection, CLOSE_WAIT_MS);
  }

  private async open(): Promise<RedisConnection> {
    if (this.connection !== undefined) return this.connection;
    this.opening ??= (async () => {
      const connection = await this.source.duplicate();
      try {
        this.clientId = Number(await connection.call("CLIENT", "ID"));
      } catch (error) {
        await connection.close();
        throw error;
      }
      this.connection = connection;
      return connection;
    })().finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  private async discard(connection: RedisConnection): Promise<void> {
    if (this.connection === connection) {
      this.connection = undefined;
      this.clientId = undefined;
    }
    await closeWithin(connection, CLOSE_WAIT_MS);
  }
}

/** QUIT waits for the server's answer, which a hung connection never gives: do not wait for it forever. */
const CLOSE_WAIT_MS = 1000;

async function closeWithin(connection: RedisConnection, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    connection.close().catch(() => {}),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}
