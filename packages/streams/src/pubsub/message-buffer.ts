/** One Pub/Sub message as received. */
export interface PubSubMessage {
  channel: string;
  pattern: string | undefined;
  payload: Buffer;
  receivedAt: number;
}

export type OverflowPolicy = "drop-oldest" | "drop-newest";

/**
 * A bounded FIFO of messages (a ring, so shifting is O(1)). When full, the policy decides which message is
 * dropped: the oldest one buffered (keep the freshest data) or the one arriving (keep what is already there).
 * Every dropped message is counted.
 */
export class MessageBuffer {
  private readonly slots: (PubSubMessage | undefined)[];
  private head = 0;
  private count = 0;
  dropped = 0;

  constructor(
    readonly capacity: number,
    private readonly policy: OverflowPolicy,
  ) {
    this.slots = new Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** The arrival time of the oldest buffered message. */
  get oldestAt(): number | undefined {
    return this.count === 0 ? undefined : this.slots[this.head]!.receivedAt;
  }

  push(message: PubSubMessage): void {
    if (this.count === this.capacity) {
      this.dropped++;
      if (this.policy === "drop-newest") return;
      this.slots[this.head] = undefined;
      this.head = (this.head + 1) % this.capacity;
      this.count--;
    }
    this.slots[(this.head + this.count) % this.capacity] = message;
    this.count++;
  }

  /** Removes and returns up to `max` of the oldest messages. */
  take(max: number): PubSubMessage[] {
    const n = Math.min(max, this.count);
    const out = new Array<PubSubMessage>(n);
    for (let i = 0; i < n; i++) {
      out[i] = this.slots[this.head]!;
      this.slots[this.head] = undefined;
      this.head = (this.head + 1) % this.capacity;
    }
    this.count -= n;
    return out;
  }
}
