/** Counters of a consumer since it started. Entries are counted once per stream entry and event. */
export interface ConsumerStats {
  /** Batches handed out. */
  batches: number;
  /** Entries handed out, redeliveries included. */
  delivered: number;
  /** Entries handed out that had been delivered before (own pending entries, claimed entries). */
  redelivered: number;
  /** Entries taken over from other (dead or stuck) consumers with XAUTOCLAIM. */
  claimed: number;
  /** Entries acknowledged (XACK) after they were processed. */
  acked: number;
  /** Entries handed back unprocessed (handler failure, nack): they are delivered again later. */
  failed: number;
  /** Entries moved to the dead-letter stream. */
  deadLettered: number;
  /** Entries deleted or trimmed while pending. */
  lost: number;
  /** Gaps reported (stream trimmed past the group), and the entries they cost. */
  gaps: number;
  missing: number;
  /** Field values that did not fit their dtype and became null (onError "null"). */
  nulled: number;
  /** Transient failures retried; blocking reads replaced by the watchdog. */
  retries: number;
  hungReads: number;
  /** Entries handed out by this consumer and not yet acknowledged or handed back. */
  inFlight: number;
  /** The group's pending entries (all consumers), at the last check; undefined before the first one. */
  pending: number | undefined;
  /** Entries in the stream(s) not yet delivered to the group, at the last check; undefined when unknown. */
  lag: number | undefined;
}

export function emptyConsumerStats(): ConsumerStats {
  return {
    batches: 0,
    delivered: 0,
    redelivered: 0,
    claimed: 0,
    acked: 0,
    failed: 0,
    deadLettered: 0,
    lost: 0,
    gaps: 0,
    missing: 0,
    nulled: 0,
    retries: 0,
    hungReads: 0,
    inFlight: 0,
    pending: undefined,
    lag: undefined,
  };
}
