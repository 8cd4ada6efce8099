import type { EntryRef } from "../consumer/group-reader.js";

/**
 * Per-entry progress of a routed batch: how many routes that matched an entry have not confirmed it yet.
 * An entry becomes ackable when that count reaches zero (at once when no route matched it). Routes confirm
 * independently, so a stuck route holds back only its own entries, never another route's progress.
 */
export class AckTracker {
  private readonly remaining = new Map<string, number>();
  private readonly ready: EntryRef[] = [];

  /** Entries not yet ackable. */
  get size(): number {
    return this.remaining.size;
  }

  /** Registers a batch: `routeCounts[i]` routes matched `entries[i]`. */
  register(entries: readonly EntryRef[], routeCounts: ArrayLike<number>): void {
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i]!;
      const count = routeCounts[i]!;
      const key = keyOf(entry);
      if (count === 0) {
        if (!this.remaining.has(key)) this.ready.push(entry);
        continue;
      }
      // The same entry delivered again while still tracked (a claim of our own idle entry): keep the count.
      if (!this.remaining.has(key)) this.remaining.set(key, count);
    }
  }

  /** One route confirmed these entries (written, or dead-lettered, or lost for that route). */
  confirm(entries: readonly EntryRef[]): void {
    for (const entry of entries) {
      const key = keyOf(entry);
      const count = this.remaining.get(key);
      if (count === undefined) continue;
      if (count <= 1) {
        this.remaining.delete(key);
        this.ready.push(entry);
      } else {
        this.remaining.set(key, count - 1);
      }
    }
  }

  /** Takes the entries that every matching route has confirmed. */
  takeReady(): EntryRef[] {
    return this.ready.splice(0, this.ready.length);
  }

  get readyCount(): number {
    return this.ready.length;
  }
}

function keyOf(entry: EntryRef): string {
  return `${entry.stream}\n${entry.id}`;
}
