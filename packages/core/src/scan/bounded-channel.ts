/**
 * A hand-off between one producer and one consumer that holds at most `capacity` items: the producer waits
 * while it is full. It bounds how far a batch running in parallel may read ahead of the consumer.
 */
export class BoundedChannel<T> {
  private readonly items: T[] = [];
  private readonly capacity: number;
  private ended = false;
  private failure: { error: unknown } | undefined;
  private cancelled = false;
  private wakeConsumer: (() => void) | undefined;
  private wakeProducer: (() => void) | undefined;

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  /** Adds an item, waiting for room. Resolves false when the consumer has cancelled: stop producing. */
  async push(item: T): Promise<boolean> {
    while (this.items.length >= this.capacity && !this.cancelled) {
      await new Promise<void>((resolve) => {
        this.wakeProducer = resolve;
      });
    }
    if (this.cancelled) return false;
    this.items.push(item);
    this.wake("consumer");
    return true;
  }

  /** The producer is done. */
  end(): void {
    this.ended = true;
    this.wake("consumer");
  }

  /** The producer failed: the consumer gets `error` after the items already pushed. */
  fail(error: unknown): void {
    this.failure = { error };
    this.ended = true;
    this.wake("consumer");
  }

  /** The consumer gives up: a waiting producer is released and told to stop. */
  cancel(): void {
    this.cancelled = true;
    this.items.length = 0;
    this.wake("producer");
  }

  /** The next item, or done once the producer has ended; rethrows the producer's error in order. */
  async take(): Promise<IteratorResult<T, undefined>> {
    while (this.items.length === 0 && !this.ended) {
      await new Promise<void>((resolve) => {
        this.wakeConsumer = resolve;
      });
    }
    if (this.items.length > 0) {
      const item = this.items.shift() as T;
      this.wake("producer");
      return { done: false, value: item };
    }
    if (this.failure) throw this.failure.error;
    return { done: true, value: undefined };
  }

  private wake(side: "consumer" | "producer"): void {
    const wake = side === "consumer" ? this.wakeConsumer : this.wakeProducer;
    if (side === "consumer") this.wakeConsumer = undefined;
    else this.wakeProducer = undefined;
    wake?.();
  }
}
