import type { ActiveFault, ProxyFault } from "./proxy-fault.js";

export type FaultChangeListener = (
  entry: ActiveFaultEntry,
  change: "added" | "removed",
) => void | Promise<void>;

/** One switched-on fault; its identity is the key for per-connection state (e.g. bytes counted so far). */
export class ActiveFaultEntry implements ActiveFault {
  #active = true;

  constructor(
    readonly fault: Readonly<ProxyFault>,
    private readonly board: FaultBoard,
  ) {}

  get active(): boolean {
    return this.#active;
  }

  async remove(): Promise<void> {
    if (!this.#active) return;
    this.#active = false;
    await this.board.delete(this);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.remove();
  }
}

/**
 * The faults switched on right now. Connections read it for every chunk they forward, so a change takes effect
 * on traffic already flowing; `changed()` wakes anyone waiting for a fault to go away (a held blackhole).
 */
export class FaultBoard {
  readonly #entries = new Set<ActiveFaultEntry>();
  #wake: (() => void) | undefined;
  #changed: Promise<void> | undefined;
  readonly #listeners = new Set<FaultChangeListener>();

  add(fault: ProxyFault): ActiveFaultEntry {
    const entry = new ActiveFaultEntry(Object.freeze({ ...fault }), this);
    this.#entries.add(entry);
    // Reactions to an added fault are synchronous (close a listener, schedule resets): nothing to await.
    void this.#notify(entry, "added");
    return entry;
  }

  /** Resolves when every listener has finished reacting (e.g. the proxy listens again after a refusal). */
  async delete(entry: ActiveFaultEntry): Promise<void> {
    if (!this.#entries.delete(entry)) return;
    await this.#notify(entry, "removed");
  }

  async clear(): Promise<void> {
    await Promise.all([...this.#entries].map((entry) => entry.remove()));
  }

  /** The active faults of one kind, oldest first. */
  ofKind<K extends ProxyFault["kind"]>(
    kind: K,
  ): Array<ActiveFaultEntry & { fault: Extract<ProxyFault, { kind: K }> }> {
    const found: Array<ActiveFaultEntry & { fault: Extract<ProxyFault, { kind: K }> }> = [];
    for (const entry of this.#entries) {
      if (entry.fault.kind === kind)
        found.push(entry as ActiveFaultEntry & { fault: Extract<ProxyFault, { kind: K }> });
    }
    return found;
  }

  all(): ActiveFaultEntry[] {
    return [...this.#entries];
  }

  /** Resolves at the next add or remove. */
  changed(): Promise<void> {
    this.#changed ??= new Promise<void>((resolve) => {
      this.#wake = resolve;
    });
    return this.#changed;
  }

  onChange(listener: FaultChangeListener): void {
    this.#listeners.add(listener);
  }

  async #notify(entry: ActiveFaultEntry, change: "added" | "removed"): Promise<void> {
    const wake = this.#wake;
    this.#wake = undefined;
    this.#changed = undefined;
    wake?.();
    await Promise.all([...this.#listeners].map((listener) => listener(entry, change)));
  }
}
