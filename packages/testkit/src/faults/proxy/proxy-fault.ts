/**
 * Which way a fault acts: on bytes the client sends to the server, on bytes the server sends back, or both.
 * (Toxiproxy calls these "upstream" and "downstream".)
 */
export type FaultDirection = "toServer" | "toClient" | "both";

/**
 * Delays every chunk by `latencyMs` ± a random `jitterMs` (uniform) from its arrival, keeping byte order.
 * Removing the fault releases the chunks it holds at once.
 */
export interface LatencyFault {
  kind: "latency";
  latencyMs: number;
  jitterMs: number;
  direction: FaultDirection;
}

/** Paces bytes to at most `bytesPerSecond`. */
export interface BandwidthFault {
  kind: "bandwidth";
  bytesPerSecond: number;
  direction: FaultDirection;
}

/**
 * Accepts bytes and never delivers them while active: a hung peer or a silent network partition. Held bytes
 * are delivered, in order, when the fault is removed (the partition heals); the held amount is bounded by
 * pausing the sender (TCP back-pressure), as a real full window would.
 */
export interface BlackholeFault {
  kind: "blackhole";
  direction: FaultDirection;
}

/**
 * While active, every connection (open or new) is torn down with a TCP RST (`ECONNRESET` at the peer) after
 * `afterMs`. `direction` says which side gets the RST; the other side is closed too, since a proxy cannot
 * keep half a connection.
 */
export interface ResetFault {
  kind: "reset";
  afterMs: number;
  direction: FaultDirection;
}

/**
 * Lets `bytes` bytes through per connection, then closes that connection: a reply cut in the middle. The count
 * starts when the fault is switched on (or when the connection opens, if later) and covers every direction the
 * fault acts on: with "both", requests and replies together use up the same `bytes`.
 */
export interface CloseAfterBytesFault {
  kind: "closeAfterBytes";
  bytes: number;
  direction: FaultDirection;
}

/** Splits every chunk into pieces of `averageSize` ± `sizeVariation` bytes, with `delayMs` between pieces. */
export interface SliceFault {
  kind: "slice";
  averageSize: number;
  sizeVariation: number;
  delayMs: number;
  direction: FaultDirection;
}

/** Stops listening while active: new connections get ECONNREFUSED; open connections carry on. */
export interface RefuseFault {
  kind: "refuse";
}

export type ProxyFault =
  | LatencyFault
  | BandwidthFault
  | BlackholeFault
  | ResetFault
  | CloseAfterBytesFault
  | SliceFault
  | RefuseFault;

/**
 * A fault switched on. `await fault.remove()` (or leaving an `await using` block) switches it off; it resolves
 * once the fault is fully gone (after a refusal: once the proxy listens again). Removing twice is harmless.
 */
export interface ActiveFault extends AsyncDisposable {
  readonly fault: Readonly<ProxyFault>;
  readonly active: boolean;
  remove(): Promise<void>;
}

/** True when `fault` acts on bytes travelling `way`. */
export function actsOn(fault: ProxyFault, way: "toServer" | "toClient"): boolean {
  return "direction" in fault && (fault.direction === "both" || fault.direction === way);
}
