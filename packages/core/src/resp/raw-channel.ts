import { connect as connectTcp, type Socket } from "node:net";
import { type ConnectionOptions, connect as connectTls } from "node:tls";
import { RedisConnectionError } from "../errors/redis-connection-error.js";
import { encodeCommands } from "./encoder.js";

/** A raw socket channel's deadline when the connection names no command timeout (`commandTimeoutMs: 0`). */
export const DEFAULT_REPLY_TIMEOUT_MS = 30_000;

/**
 * A dedicated byte stream to one Redis server speaking RESP2, ready for commands (authenticated, on the
 * right database). The fast readers write pre-encoded commands and decode the replies themselves.
 */
export interface RawChannel {
  /**
   * How long a caller waits for the server's next byte before giving the channel up (the deadline core's
   * RequestPipe applies to every request). A socket channel always has one: the connection's command timeout,
   * or DEFAULT_REPLY_TIMEOUT_MS. Undefined only on a channel that bounds its own waits (a cluster channel,
   * whose per-node deadlines and failover waits end the channel with a typed error themselves).
   */
  readonly replyTimeoutMs?: number | undefined;
  write(bytes: Uint8Array): void;
  /** Called with every chunk the server sends, in order. */
  onData(listener: (chunk: Buffer) => void): void;
  /** Called once when the stream ends: with the error that ended it, or undefined after `close()`. */
  onClose(listener: (error: Error | undefined) => void): void;
  close(): void;
  /**
   * Optional: whether the open channel alone keeps the process alive (Node's `ref`/`unref`). A user that keeps
   * a channel open between requests lets it go while idle.
   */
  setKeepsProcessAlive?(keep: boolean): void;
}

export interface RawEndpoint {
  readonly host: string;
  readonly port: number;
  readonly username?: string;
  readonly password?: string;
  readonly db?: number;
  /** TLS options (`rediss://`); plain TCP when absent. */
  readonly tls?: ConnectionOptions;
  readonly connectTimeoutMs?: number;
  /** CLIENT SETNAME for the channel: tools that list or kill clients by name then see it with its connection. */
  readonly clientName?: string;
  /** Passed on as the channel's `replyTimeoutMs`. [DEFAULT_REPLY_TIMEOUT_MS] */
  readonly replyTimeoutMs?: number;
}

/**
 * Opens a RawChannel over TCP (or TLS): connects, sends AUTH, SELECT and CLIENT SETNAME when needed, and checks
 * their replies.
 * A socket that speaks RESP2 needs no HELLO.
 */
export async function openRawChannel(endpoint: RawEndpoint): Promise<RawChannel> {
  const socket = await openSocket(endpoint);
  try {
    const setup: string[][] = [];
    if (endpoint.password !== undefined) {
      setup.push(
        endpoint.username === undefined
          ? ["AUTH", endpoint.password]
          : ["AUTH", endpoint.username, endpoint.password],
      );
    }
    if (endpoint.db !== undefined && endpoint.db !== 0) setup.push(["SELECT", String(endpoint.db)]);
    if (endpoint.clientName !== undefined) setup.push(["CLIENT", "SETNAME", endpoint.clientName]);
    if (setup.length > 0) await runSetup(socket, setup, endpoint);
  } catch (error) {
    socket.destroy();
    throw error;
  }
  return new SocketChannel(socket, endpoint.replyTimeoutMs ?? DEFAULT_REPLY_TIMEOUT_MS);
}

class SocketChannel implements RawChannel {
  private closedByUs = false;
  private lastError: Error | undefined;
  /** Set once the socket has closed: a listener added later still hears about it. */
  private closedWith: { error: Error | undefined } | undefined;
  private readonly closeListeners: ((error: Error | undefined) => void)[] = [];

  constructor(
    private readonly socket: Socket,
    readonly replyTimeoutMs: number,
  ) {
    socket.on("error", (cause) => {
      this.lastError = cause;
    });
    socket.on("close", () => {
      const error = this.closedByUs
        ? undefined
        : (this.lastError ?? new Error("the server closed the connection"));
      this.closedWith = { error };
      for (const listener of this.closeListeners) listener(error);
    });
  }

  write(bytes: Uint8Array): void {
    if (!this.socket.destroyed) this.socket.write(bytes);
  }

  onData(listener: (chunk: Buffer) => void): void {
    this.socket.on("data", listener);
  }

  onClose(listener: (error: Error | undefined) => void): void {
    if (this.closedWith) listener(this.closedWith.error);
    else this.closeListeners.push(listener);
  }

  close(): void {
    this.closedByUs = true;
    this.socket.destroy();
  }

  setKeepsProcessAlive(keep: boolean): void {
    if (keep) this.socket.ref();
    else this.socket.unref();
  }
}

function openSocket(endpoint: RawEndpoint): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const fail = (cause: Error) => {
      socket.destroy();
      reject(
        new RedisConnectionError({
          message: `cannot open a raw channel to Redis at ${endpoint.host}:${endpoint.port}: ${cause.message}`,
          host: endpoint.host,
          port: endpoint.port,
          outcome: "rejected",
          cause,
        }),
      );
    };
    const ready = () => {
      socket.setTimeout(0);
      socket.off("error", fail);
      socket.setNoDelay(true);
      resolve(socket);
    };
    const socket: Socket = endpoint.tls
      ? connectTls({ host: endpoint.host, port: endpoint.port, ...endpoint.tls }, ready)
      : connectTcp(endpoint.port, endpoint.host, ready);
    socket.setTimeout(endpoint.connectTimeoutMs ?? 10_000, () => fail(new Error("connect timeout")));
    socket.once("error", fail);
  });
}

/**
 * Sends the setup commands and reads one simple-string or error line per command. Fails on the first error
 * line (the server may close right after it, e.g. at maxclients), when the socket errors or closes first, and
 * when the replies take longer than the connect timeout: an open that never ends would hold every user of the
 * channel waiting.
 */
function runSetup(socket: Socket, commands: string[][], endpoint: RawEndpoint): Promise<void> {
  return new Promise((resolve, reject) => {
    let text = "";
    let timer: NodeJS.Timeout | undefined;
    const finish = (error?: Error) => {
      clearTimeout(timer);
      socket.off("data", onData);
      socket.off("error", onError);
      socket.off("close", onClose);
      if (error === undefined) resolve();
      else
        reject(
          new RedisConnectionError({
            message: `Redis at ${endpoint.host}:${endpoint.port} refused the raw channel's setup: ${error.message}`,
            host: endpoint.host,
            port: endpoint.port,
            outcome: "rejected",
            cause: error,
          }),
        );
    };
    const onData = (chunk: Buffer) => {
      text += chunk.toString("latin1");
      const lines = text.split("\r\n").slice(0, -1);
      const failed = lines.slice(0, commands.length).find((line) => line.startsWith("-"));
      if (failed !== undefined) finish(new Error(failed.slice(1)));
      else if (lines.length >= commands.length) finish();
    };
    const onError = (error: Error) => finish(error);
    const onClose = () => finish(new Error("the server closed the connection during setup"));
    timer = setTimeout(
      () => finish(new Error("no reply to the setup commands in time")),
      endpoint.connectTimeoutMs ?? 10_000,
    );
    socket.on("data", onData);
    socket.on("error", onError);
    socket.on("close", onClose);
    socket.write(encodeCommands(commands));
  });
}
