/**
 * What the cluster connection had to do to keep going, reported through `onEvent` as it happens (for logs
 * and metrics) and counted in `stats()`. Node names are "host:port".
 */
export type ClusterEvent =
  /** A node answered MOVED: the slot has a new master, recorded in the slot map. */
  | { readonly type: "moved"; readonly slot: number; readonly node: string }
  /** A node answered ASK: the slot is being migrated and the key already lives on `node`. */
  | { readonly type: "ask"; readonly slot: number; readonly node: string }
  /** A multi-key command met a slot in mid-migration (TRYAGAIN); it is re-sent after a backoff. */
  | { readonly type: "tryagain"; readonly command: string }
  /** The cluster (or a slot) was down; the command waits for the failover, within the retry window. */
  | { readonly type: "clusterdown"; readonly message: string }
  /** A node could not be reached; its commands were not sent and are re-sent once the slot map settles. */
  | { readonly type: "node-unreachable"; readonly node: string; readonly message: string }
  /**
   * A node of a raw channel (the fast read path) failed or owed a reply past the command timeout: its
   * `commands` unanswered read-only commands are sent again to their slots' masters once the slot map settles.
   */
  | {
      readonly type: "raw-node-lost";
      readonly node: string;
      readonly commands: number;
      readonly message: string;
    }
  /** The slot map was reloaded. */
  | { readonly type: "topology-refreshed"; readonly masters: readonly string[] }
  /** A master being scanned went away mid-scan; its slots are scanned again on their new masters. */
  | { readonly type: "scan-node-lost"; readonly node: string; readonly slots: number }
  /** Slots changed hands (or were mid-migration) while a node was scanned; their keys are read again. */
  | {
      readonly type: "scan-slots-rescanned";
      readonly node: string;
      readonly slots: number;
      readonly reason: "moved" | "migrating" | "node-lost";
    };

export type ClusterEventType = ClusterEvent["type"];

/** Counts of every event type since the connection was opened. */
export type ClusterStats = Readonly<Record<ClusterEventType, number>>;

export class ClusterEventLog {
  private readonly counts: Record<ClusterEventType, number> = {
    moved: 0,
    ask: 0,
    tryagain: 0,
    clusterdown: 0,
    "node-unreachable": 0,
    "raw-node-lost": 0,
    "topology-refreshed": 0,
    "scan-node-lost": 0,
    "scan-slots-rescanned": 0,
  };

  constructor(private readonly listener: ((event: ClusterEvent) => void) | undefined) {}

  emit(event: ClusterEvent): void {
    this.counts[event.type]++;
    if (this.listener === undefined) return;
    try {
      this.listener(event);
    } catch {
      // A throwing listener must not break a batch or a scan.
    }
  }

  snapshot(): ClusterStats {
    return { ...this.counts };
  }
}
