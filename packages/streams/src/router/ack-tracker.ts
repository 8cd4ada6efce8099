import type { EntryRef } from "../consumer/group-reader.js";

/**
 * Per-entry progress of a routed batch: how many routes that matched an entry have not confirmed it yet.
 * An entry becomes ackable when that count reaches zero (at once when no route matched it). Routes confirm
 * independently, so a stuck route holds back only its own entries, never another route's progress.
 */
export class AckTracker {
  /**
   * Per stream, per entry id: routes still to confirm. Keyed by the entry's own id string (whose hash V8 keeps)
   * rather than a "stream\nid" string built per lookup, which cost more than the rest of the tracking.
   */
  private readonly remaining = new Map<string, Map<string, number>>();
  private count = 0;
  private readonly ready: EntryRef[] = [];

  /** Entries not yet ackable. */
  get size(): number {
    return this.count;
  }

  /** Registers a batch: `routeCounts[i]` routes matched `entries[i]`. */
  register(entries: readonly EntryRef[], routeCounts: ArrayLike<number>): void {
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i]!;
      const count = routeCounts[i]!;
      // The same entry delivered again while still tracked (a claim of our own idle entry): keep the count.
      if (this.remaining.get(entry.stream)?.has(entry.id)) continue;
      if (count === 0) {
        this.ready.push(entry);
      } else {
        this.idsOf(entry.stream).set(entry.id, count);
        this.count++;
      }
    }
  }

  /** One route confirmed these entries (written, or dead-lettered, or lost for that route). */
  confirm(entries: readonly EntryRef[]): void {
    for (const entry of entries) {
      const ids = this.remaining.get(entry.stream);
      const count = ids?.get(entry.id);
      if (count === undefined) continue;
      if (count <= 1) {
        ids!.delete(entry.id);
        // Streams come and go (sharded sources, dead-letter replays): keep no empty map behind.
        if (ids!.size === 0) this.remaining.delete(entry.stream);
        this.count--;
        this.ready.push(entry);
      } else {
        ids!.set(entry.id, count - 1);
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

  private idsOf(stream: string): Map<string, number> {
    let ids = this.remaining.get(stream);
    if (ids === undefined) {
      ids = new Map();
      this.remaining.set(stream, ids);
    }
    return ids;
  }
}
