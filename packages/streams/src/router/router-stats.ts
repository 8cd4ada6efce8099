import type { ConsumerStats } from "../consumer/consumer-stats.js";

export interface RouteStats {
  /** "healthy": writing or idle; "retrying": its last write failed and it waits to try again. */
  state: "healthy" | "retrying";
  /** Entries whose rows matched this route's filter. */
  matched: number;
  /** Entries this route confirmed (written by its sink). */
  written: number;
  /** Sink writes that succeeded. */
  writes: number;
  /** Write attempts that failed (each retried). */
  failedAttempts: number;
  /** Entries this route dead-lettered (rows its sink rejected for good). */
  deadLettered: number;
  /** Entries this route could not re-read (deleted from the source while it was down). */
  lost: number;
  /** Entries waiting for this route, in memory or (beyond the memory bound) as ids to re-read. */
  queued: number;
  /** Of `queued`, entries kept as ids only (re-read from the source when the route gets to them). */
  spilled: number;
  /** The last failure, when the route is retrying. */
  lastError: string | undefined;
}

export interface RouterStats {
  source: ConsumerStats;
  routes: Record<string, RouteStats>;
  /** Source entries read but not yet acknowledged (waiting for at least one route). */
  unacked: number;
  /** Source entries no route's filter matched: acknowledged without being written anywhere. */
  unmatched: number;
}
