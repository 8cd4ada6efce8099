import { connect, type Socket } from "node:net";
import type { ActiveFaultEntry, FaultBoard } from "./fault-board.js";
import { Link } from "./link.js";
import type { FaultDirection } from "./proxy-fault.js";

export interface ProxyCounters {
  bytesToServer: number;
  bytesToClient: number;
  writesToServer: number;
  writesToClient: number;
}

/**
 * One client connection and its own connection to the target, joined by two Links. Either side closing
 * half-closes the other after the queued bytes are forwarded; a reset from one side is passed on as a reset.
 */
export class ProxiedConnection {
  readonly server: Socket;
  readonly #toServer: Link;
  readonly #toClient: Link;
  readonly #abort = new AbortController();
  readonly #closed: Promise<void>;
  #openSockets = 2;

  constructor(
    readonly id: number,
    readonly client: Socket,
    target: { host: string; port: number },
    board: FaultBoard,
    counters: ProxyCounters,
  ) {
    this.server = connect({ host: target.host, port: target.port, allowHalfOpen: true });
    client.setNoDelay(true);
    this.server.setNoDelay(true);

    let resolveClosed!: () => void;
    this.#closed = new Promise((resolve) => {
      resolveClosed = resolve;
    });
    for (const [socket, other] of [
      [client, this.server],
      [this.server, client],
    ] as const) {
      socket.on("error", (error: NodeJS.ErrnoException) => {
        // A peer's RST travels on as an RST, so the other peer sees what a direct connection would show.
        if (error.code === "ECONNRESET") resetSocket(other);
        else other.destroy();
        socket.destroy();
      });
      socket.on("close", () => {
        if (--this.#openSockets === 0) {
          this.#abort.abort(new Error("connection closed"));
          resolveClosed();
        }
      });
    }

    const signal = this.#abort.signal;
    const onByteLimit = () => this.closeGracefully();
    const byteLimitCounts = new Map<ActiveFaultEntry, number>();
    const toServer = new Link(client, this.server, {
      way: "toServer",
      board,
      signal,
      byteLimitCounts,
      onForwarded: (bytes) => {
        counters.bytesToServer += bytes;
        counters.writesToServer++;
      },
      onByteLimit,
    });
    const toClient = new Link(this.server, client, {
      way: "toClient",
      board,
      signal,
      byteLimitCounts,
      onForwarded: (bytes) => {
        counters.bytesToClient += bytes;
        counters.writesToClient++;
      },
      onByteLimit,
    });
    this.#toServer = toServer;
    this.#toClient = toClient;
    client.on("close", () => toServer.endInput());
    this.server.on("close", () => toClient.endInput());
    for (const link of [toServer, toClient]) {
      link.run().catch(() => {
        // The pump stops with an AbortError when the connection is torn down; any other failure (a write to a
        // socket that went away) also ends this connection.
        if (!signal.aborted) this.destroy();
      });
    }
  }

  /** Bytes received from one side and not yet delivered to the other (held by faults, or queued). */
  heldBytes(way: "toServer" | "toClient"): number {
    return (way === "toServer" ? this.#toServer : this.#toClient).heldBytes;
  }

  /** Resolves once both sockets are closed. */
  closed(): Promise<void> {
    return this.#closed;
  }

  /** Tears the connection down with an RST to the side(s) `direction` names and a plain close to the other. */
  reset(direction: FaultDirection): void {
    const client = direction !== "toServer";
    const server = direction !== "toClient";
    if (client) resetSocket(this.client);
    else this.client.destroy();
    if (server) resetSocket(this.server);
    else this.server.destroy();
  }

  destroy(): void {
    this.client.destroy();
    this.server.destroy();
  }

  /** Sends FIN both ways once written bytes are flushed, then frees the sockets. */
  closeGracefully(): void {
    for (const socket of [this.client, this.server]) {
      if (socket.destroyed) continue;
      socket.end(() => socket.destroy());
    }
  }
}

function resetSocket(socket: Socket): void {
  if (socket.destroyed) return;
  try {
    socket.resetAndDestroy();
  } catch {
    socket.destroy();
  }
}
