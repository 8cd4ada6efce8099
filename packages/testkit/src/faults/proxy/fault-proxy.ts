import { once } from "node:events";
import { createServer, type Server, type Socket } from "node:net";
import { pickFreePort } from "../../server/free-port.js";
import { type ActiveFaultEntry, FaultBoard } from "./fault-board.js";
import { ProxiedConnection, type ProxyCounters } from "./proxied-connection.js";
import type { ActiveFault, FaultDirection, ProxyFault, ResetFault } from "./proxy-fault.js";
import { type ProxyTarget, resolveProxyTarget } from "./proxy-target.js";

export interface FaultProxyOptions {
  /** The server to forward to: `{ host, port }` or a redis:// URL (e.g. a startRedis() handle's `url`). */
  target: ProxyTarget;
  /** Port to listen on; by default a free loopback port below the ephemeral range. */
  listenPort?: number | undefined;
  /** Address to listen on ["127.0.0.1"]. */
  listenHost?: string | undefined;
}

export interface FaultProxyStats {
  openConnections: number;
  /** Connections accepted since the proxy started. */
  totalConnections: number;
  /** Bytes forwarded from clients to the server. */
  bytesToServer: number;
  /** Bytes forwarded from the server to clients. */
  bytesToClient: number;
  /** Socket writes that forwarded those bytes: a slice or bandwidth fault splits a chunk into many. */
  writesToServer: number;
  writesToClient: number;
  /** Bytes the open connections have received and not delivered yet: held by latency or a blackhole. */
  heldBytesToServer: number;
  heldBytesToClient: number;
}

/**
 * A TCP proxy in front of a Redis server whose faults can be switched on and off while traffic flows. Every
 * fault method returns an ActiveFault: `await fault.remove()`, or scope it with `await using`.
 */
export interface FaultProxy extends AsyncDisposable {
  readonly host: string;
  readonly port: number;
  /** redis://host:port of the proxy (with the target URL's credentials and db, when it had some). */
  readonly url: string;
  readonly target: { readonly host: string; readonly port: number };

  latency(options: {
    latencyMs: number;
    jitterMs?: number | undefined;
    direction?: FaultDirection | undefined;
  }): ActiveFault;
  bandwidth(options: { bytesPerSecond: number; direction?: FaultDirection | undefined }): ActiveFault;
  blackhole(options?: { direction?: FaultDirection | undefined }): ActiveFault;
  reset(options?: { afterMs?: number | undefined; direction?: FaultDirection | undefined }): ActiveFault;
  closeAfterBytes(options: { bytes: number; direction?: FaultDirection | undefined }): ActiveFault;
  slice(options: {
    averageSize: number;
    sizeVariation?: number;
    delayMs?: number;
    direction?: FaultDirection;
  }): ActiveFault;
  refuseConnections(): ActiveFault;
  /** Any fault, described as data. */
  addFault(fault: ProxyFault): ActiveFault;
  /** The faults switched on right now. */
  faults(): ActiveFault[];
  clearFaults(): Promise<void>;

  /** Closes every open connection at once, with an RST when `reset` is true; returns how many were closed. */
  dropConnections(options?: { reset?: boolean | undefined }): number;
  stats(): FaultProxyStats;
  /** Stops listening, drops every connection and switches every fault off. Safe to call twice. */
  close(): Promise<void>;
}

export async function createFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = resolveProxyTarget(options.target);
  const listenHost = options.listenHost ?? "127.0.0.1";
  const proxy = new TcpFaultProxy(target.host, target.port, listenHost);
  if (options.listenPort !== undefined) {
    await proxy.listen(options.listenPort);
  } else {
    // A port below the kernel's ephemeral range: no outgoing socket can take it while a refusal has the
    // proxy stop listening. The probe can still race another process, so a failed bind tries another port.
    for (let attempt = 1; ; attempt++) {
      try {
        await proxy.listen(await pickFreePort());
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE" || attempt >= 8) throw error;
      }
    }
  }
  proxy.setUrl(target.urlVia(listenHost, proxy.port));
  return proxy;
}

class TcpFaultProxy implements FaultProxy {
  readonly target: { readonly host: string; readonly port: number };
  url = "";
  #port = 0;
  #server: Server | undefined;
  #closed = false;
  #nextConnectionId = 1;
  #totalConnections = 0;
  readonly #counters: ProxyCounters = {
    bytesToServer: 0,
    bytesToClient: 0,
    writesToServer: 0,
    writesToClient: 0,
  };
  readonly #connections = new Set<ProxiedConnection>();
  readonly #board = new FaultBoard();
  /** Pending delayed resets, per reset fault, so removing the fault cancels them. */
  readonly #resetTimers = new Map<ActiveFaultEntry, Set<NodeJS.Timeout>>();

  constructor(
    targetHost: string,
    targetPort: number,
    readonly host: string,
  ) {
    this.target = { host: targetHost, port: targetPort };
    this.#board.onChange((entry, change) => this.#onFaultChange(entry, change));
  }

  get port(): number {
    return this.#port;
  }

  setUrl(url: string): void {
    this.url = url;
  }

  async listen(port: number): Promise<void> {
    const server = createServer({ allowHalfOpen: true }, (client) => this.#accept(client));
    server.listen({ host: this.host, port });
    await once(server, "listening");
    const address = server.address();
    if (address === null || typeof address === "string") throw new Error("fault proxy: no TCP address");
    this.#port = address.port;
    this.#server = server;
  }

  latency({
    latencyMs,
    jitterMs = 0,
    direction = "both",
  }: Parameters<FaultProxy["latency"]>[0]): ActiveFault {
    return this.addFault({ kind: "latency", latencyMs, jitterMs, direction });
  }

  bandwidth({ bytesPerSecond, direction = "both" }: Parameters<FaultProxy["bandwidth"]>[0]): ActiveFault {
    return this.addFault({ kind: "bandwidth", bytesPerSecond, direction });
  }

  blackhole({ direction = "both" }: { direction?: FaultDirection | undefined } = {}): ActiveFault {
    return this.addFault({ kind: "blackhole", direction });
  }

  reset({
    afterMs = 0,
    direction = "both",
  }: {
    afterMs?: number;
    direction?: FaultDirection;
  } = {}): ActiveFault {
    return this.addFault({ kind: "reset", afterMs, direction });
  }

  closeAfterBytes({ bytes, direction = "both" }: Parameters<FaultProxy["closeAfterBytes"]>[0]): ActiveFault {
    return this.addFault({ kind: "closeAfterBytes", bytes, direction });
  }

  slice({
    averageSize,
    sizeVariation = 0,
    delayMs = 0,
    direction = "both",
  }: Parameters<FaultProxy["slice"]>[0]): ActiveFault {
    return this.addFault({ kind: "slice", averageSize, sizeVariation, delayMs, direction });
  }

  refuseConnections(): ActiveFault {
    return this.addFault({ kind: "refuse" });
  }

  addFault(fault: ProxyFault): ActiveFault {
    if (this.#closed) throw new Error("fault proxy is closed");
    validateFault(fault);
    return this.#board.add(fault);
  }

  faults(): ActiveFault[] {
    return this.#board.all();
  }

  async clearFaults(): Promise<void> {
    await this.#board.clear();
  }

  dropConnections({ reset = false }: { reset?: boolean | undefined } = {}): number {
    const connections = [...this.#connections];
    for (const connection of connections) {
      if (reset) connection.reset("both");
      else connection.destroy();
    }
    return connections.length;
  }

  stats(): FaultProxyStats {
    let heldBytesToServer = 0;
    let heldBytesToClient = 0;
    for (const connection of this.#connections) {
      heldBytesToServer += connection.heldBytes("toServer");
      heldBytesToClient += connection.heldBytes("toClient");
    }
    return {
      openConnections: this.#connections.size,
      totalConnections: this.#totalConnections,
      ...this.#counters,
      heldBytesToServer,
      heldBytesToClient,
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#board.clear();
    const server = this.#server;
    this.#server = undefined;
    const stopped = server?.listening
      ? new Promise<void>((resolve) => server.close(() => resolve()))
      : undefined;
    const connections = [...this.#connections];
    for (const connection of connections) connection.destroy();
    await Promise.all(connections.map((connection) => connection.closed()));
    await stopped;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #accept(client: Socket): void {
    if (this.#closed) {
      client.destroy();
      return;
    }
    this.#totalConnections++;
    const connection = new ProxiedConnection(
      this.#nextConnectionId++,
      client,
      this.target,
      this.#board,
      this.#counters,
    );
    this.#connections.add(connection);
    void connection.closed().then(() => this.#connections.delete(connection));
    for (const entry of this.#board.ofKind("reset")) this.#scheduleReset(entry, connection);
  }

  async #onFaultChange(entry: ActiveFaultEntry, change: "added" | "removed"): Promise<void> {
    const { fault } = entry;
    if (fault.kind === "reset") {
      if (change === "added") {
        for (const connection of this.#connections) this.#scheduleReset(entry, connection);
      } else {
        for (const timer of this.#resetTimers.get(entry) ?? []) clearTimeout(timer);
        this.#resetTimers.delete(entry);
      }
    }
    if (fault.kind === "refuse") {
      const refusing = this.#board.ofKind("refuse").length > 0;
      if (refusing && this.#server) {
        // Closing the listening socket makes the kernel answer new connects with RST (ECONNREFUSED), exactly
        // like a server that is down; accepted connections are separate sockets and carry on.
        this.#server.close();
        this.#server = undefined;
      } else if (!refusing && !this.#server && !this.#closed) {
        // The port was chosen below the ephemeral range (or by the caller), so no outgoing socket took it meanwhile.
        await this.listen(this.#port);
      }
    }
  }

  #scheduleReset(entry: ActiveFaultEntry, connection: ProxiedConnection): void {
    const { afterMs, direction } = entry.fault as ResetFault;
    if (afterMs <= 0) {
      connection.reset(direction);
      return;
    }
    const timers = this.#resetTimers.get(entry) ?? new Set<NodeJS.Timeout>();
    this.#resetTimers.set(entry, timers);
    const timer = setTimeout(() => {
      timers.delete(timer);
      connection.reset(direction);
    }, afterMs);
    timer.unref();
    timers.add(timer);
  }
}

function validateFault(fault: ProxyFault): void {
  const nonNegative = (name: string, value: number) => {
    if (!Number.isFinite(value) || value < 0) {
      throw new RangeError(`${fault.kind} fault: ${name} must be a finite number >= 0, got ${value}`);
    }
  };
  const positive = (name: string, value: number) => {
    if (!Number.isFinite(value) || value <= 0) {
      throw new RangeError(`${fault.kind} fault: ${name} must be a finite number > 0, got ${value}`);
    }
  };
  if ("direction" in fault && !["toServer", "toClient", "both"].includes(fault.direction)) {
    throw new RangeError(`${fault.kind} fault: direction must be "toServer", "toClient" or "both"`);
  }
  switch (fault.kind) {
    case "latency":
      nonNegative("latencyMs", fault.latencyMs);
      nonNegative("jitterMs", fault.jitterMs);
      break;
    case "bandwidth":
      positive("bytesPerSecond", fault.bytesPerSecond);
      break;
    case "reset":
      nonNegative("afterMs", fault.afterMs);
      break;
    case "closeAfterBytes":
      nonNegative("bytes", fault.bytes);
      break;
    case "slice":
      positive("averageSize", fault.averageSize);
      nonNegative("sizeVariation", fault.sizeVariation);
      nonNegative("delayMs", fault.delayMs);
      break;
    case "blackhole":
    case "refuse":
      break;
  }
}
