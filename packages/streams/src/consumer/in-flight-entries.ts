/** Entries handed out by this process and not yet acknowledged or handed back, per stream. */
export class InFlightEntries {
  private readonly byStream = new Map<string, Set<string>>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(stream: string, id: string): void {
    let ids = this.byStream.get(stream);
    if (ids === undefined) {
      ids = new Set();
      this.byStream.set(stream, ids);
    }
    if (!ids.has(id)) {
      ids.add(id);
      this.count++;
    }
  }

  delete(stream: string, id: string): boolean {
    const ids = this.byStream.get(stream);
    if (ids === undefined || !ids.delete(id)) return false;
    this.count--;
    return true;
  }

  has(stream: string, id: string): boolean {
    return this.byStream.get(stream)?.has(id) ?? false;
  }

  /** Snapshot of the ids per stream (for heartbeats). */
  entries(): [string, string[]][] {
    return [...this.byStream].filter(([, ids]) => ids.size > 0).map(([stream, ids]) => [stream, [...ids]]);
  }
}
