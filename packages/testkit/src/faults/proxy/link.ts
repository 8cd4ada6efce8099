import { once } from "node:events";
import type { Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import type { ActiveFaultEntry, FaultBoard } from "./fault-board.js";
import { actsOn } from "./proxy-fault.js";

const END = Symbol("end of input");

interface Chunk {
  data: Buffer;
  arrivedAt: number;
}

/** Above this many held bytes the sender is paused, so a blackhole or a slow link holds bounded memory. */
const PAUSE_ABOVE_BYTES = 1 << 20;

export interface LinkHooks {
  way: "toServer" | "toClient";
  board: FaultBoard;
  /** Aborted when the connection is torn down; every wait of the pump listens to it. */
  signal: AbortSignal;
  /**
   * Bytes let through per closeAfterBytes fault, shared by both links of a connection: a limit counts the
   * connection's bytes in every direction the fault acts on.
   */
  byteLimitCounts: Map<ActiveFaultEntry, number>;
  /** `bytes` were written to the destination in one write. */
  onForwarded(bytes: number): void;
  /** A closeAfterBytes limit was reached and its last allowed byte is written. */
  onByteLimit(): void;
}

/**
 * One direction of a proxied connection. Bytes read from `source` are queued with their arrival time and
 * forwarded to `destination` by one sequential pump, which applies the faults active at the moment each chunk
 * is forwarded. Sequential forwarding keeps byte order; latency is measured from arrival, so a delayed link
 * still carries many chunks in flight instead of adding the delay once per chunk.
 */
export class Link {
  readonly #queue: Array<Chunk | typeof END> = [];
  #queuedBytes = 0;
  /** Bytes read from the source and not written to the destination yet (queued, or held by a fault). */
  #heldBytes = 0;
  #inputEnded = false;
  #wakePump: (() => void) | undefined;
  #bandwidthClock = 0;

  constructor(
    private readonly source: Socket,
    private readonly destination: Socket,
    private readonly hooks: LinkHooks,
  ) {
    source.on("data", (data: Buffer) => this.#enqueue({ data, arrivedAt: Date.now() }));
    source.on("end", () => this.endInput());
  }

  /** Bytes this link has read and not delivered yet: what a delaying or blackholing fault is holding. */
  get heldBytes(): number {
    return this.#heldBytes;
  }

  /** No more bytes will come from the source: forward what is queued, then half-close the destination. */
  endInput(): void {
    if (this.#inputEnded) return;
    this.#inputEnded = true;
    this.#enqueue(END);
  }

  /** Forwards until the input ends, the connection is torn down (AbortError) or a byte limit closes it. */
  async run(): Promise<void> {
    for (;;) {
      const item = await this.#next();
      if (item === END) {
        if (!this.destination.destroyed) this.destination.end();
        return;
      }
      this.#queuedBytes -= item.data.length;
      if (this.#queuedBytes <= PAUSE_ABOVE_BYTES / 2 && this.source.isPaused()) this.source.resume();
      if (!(await this.#deliver(item))) return;
    }
  }

  #enqueue(item: Chunk | typeof END): void {
    this.#queue.push(item);
    if (item !== END) {
      this.#queuedBytes += item.data.length;
      this.#heldBytes += item.data.length;
      if (this.#queuedBytes > PAUSE_ABOVE_BYTES) this.source.pause();
    }
    const wake = this.#wakePump;
    this.#wakePump = undefined;
    wake?.();
  }

  async #next(): Promise<Chunk | typeof END> {
    while (this.#queue.length === 0) {
      this.hooks.signal.throwIfAborted();
      await abortable(
        new Promise<void>((resolve) => {
          this.#wakePump = resolve;
        }),
        this.hooks.signal,
      );
    }
    return this.#queue.shift()!;
  }

  /** Returns false when a byte limit was reached and the connection must close. */
  async #deliver(chunk: Chunk): Promise<boolean> {
    const { board, signal } = this.hooks;

    while (this.#active("blackhole").length > 0) await abortable(board.changed(), signal);

    // Latency counts from the chunk's arrival. A fault switched off (or on) meanwhile changes the due time at
    // once: removing a latency fault releases the chunks it holds, as removing a blackhole does.
    const jitters = new Map<ActiveFaultEntry, number>();
    for (;;) {
      let delayMs = 0;
      for (const entry of this.#active("latency")) {
        if (!jitters.has(entry)) jitters.set(entry, jitter(entry.fault.jitterMs));
        delayMs += entry.fault.latencyMs + jitters.get(entry)!;
      }
      const waitMs = chunk.arrivedAt + Math.max(0, delayMs) - Date.now();
      if (waitMs <= 0) break;
      const changed = board.changed();
      const timer = new AbortController();
      const wakeUp = AbortSignal.any([signal, timer.signal]);
      try {
        await Promise.race([sleep(waitMs, undefined, { signal: wakeUp }), changed]);
      } catch (error) {
        if (signal.aborted) throw error;
      } finally {
        timer.abort();
      }
    }

    let payload = chunk.data;
    const limitReached = this.#applyByteLimits(payload.length);
    if (limitReached !== undefined) {
      this.#heldBytes -= payload.length - limitReached;
      payload = payload.subarray(0, limitReached);
    }

    const slice = this.#active("slice")[0]?.fault;
    const rates = this.#active("bandwidth").map(({ fault }) => fault.bytesPerSecond);
    const bytesPerSecond = rates.length > 0 ? Math.min(...rates) : undefined;
    // Paced writes go out in pieces of about 50 ms worth of bytes, so the rate is smooth, not bursty.
    const pacingPiece =
      bytesPerSecond === undefined ? Infinity : Math.max(1, Math.floor(bytesPerSecond / 20));

    let offset = 0;
    while (offset < payload.length) {
      const size = Math.min(
        slice ? pieceSize(slice.averageSize, slice.sizeVariation) : Infinity,
        pacingPiece,
      );
      const piece = payload.subarray(offset, Math.min(payload.length, offset + size));
      offset += piece.length;
      if (bytesPerSecond !== undefined) {
        this.#bandwidthClock =
          Math.max(this.#bandwidthClock, Date.now()) + (piece.length * 1000) / bytesPerSecond;
        const waitMs = this.#bandwidthClock - Date.now();
        if (waitMs > 0) await sleep(waitMs, undefined, { signal });
      }
      await this.#write(piece);
      if (slice && slice.delayMs > 0 && offset < payload.length)
        await sleep(slice.delayMs, undefined, { signal });
    }

    if (limitReached !== undefined) {
      this.hooks.onByteLimit();
      return false;
    }
    return true;
  }

  /** Counts `length` more bytes against every byte limit; returns how many may pass if a limit is reached. */
  #applyByteLimits(length: number): number | undefined {
    let allowed: number | undefined;
    const counts = this.hooks.byteLimitCounts;
    for (const entry of this.#active("closeAfterBytes")) {
      const counted = counts.get(entry) ?? 0;
      const remaining = Math.max(0, entry.fault.bytes - counted);
      if (length >= remaining) allowed = Math.min(allowed ?? remaining, remaining);
    }
    const passed = allowed ?? length;
    for (const entry of this.#active("closeAfterBytes")) counts.set(entry, (counts.get(entry) ?? 0) + passed);
    return allowed;
  }

  async #write(piece: Buffer): Promise<void> {
    if (this.destination.destroyed || this.destination.writableEnded) {
      throw new Error(`cannot forward ${this.hooks.way}: the destination socket is closed`);
    }
    const flushed = this.destination.write(piece);
    this.#heldBytes -= piece.length;
    this.hooks.onForwarded(piece.length);
    if (!flushed) await once(this.destination, "drain", { signal: this.hooks.signal });
  }

  #active<K extends "latency" | "bandwidth" | "blackhole" | "closeAfterBytes" | "slice">(kind: K) {
    return this.hooks.board.ofKind(kind).filter((entry) => actsOn(entry.fault, this.hooks.way));
  }
}

function jitter(jitterMs: number): number {
  return jitterMs > 0 ? (Math.random() * 2 - 1) * jitterMs : 0;
}

function pieceSize(averageSize: number, sizeVariation: number): number {
  const variation = sizeVariation > 0 ? Math.round((Math.random() * 2 - 1) * sizeVariation) : 0;
  return Math.max(1, averageSize + variation);
}

/** Waits for `promise`, or rejects with the signal's reason when it aborts first. */
async function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  signal.throwIfAborted();
  let onAbort: (() => void) | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        onAbort = () => reject(signal.reason);
        signal.addEventListener("abort", onAbort, { once: true });
      }),
    ]);
  } finally {
    if (onAbort) signal.removeEventListener("abort", onAbort);
  }
}
