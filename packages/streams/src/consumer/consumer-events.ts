/** What a consumer reports besides its batches. Event names are noun-verb, like the rest of the project. */
export type ConsumerEvent =
  | {
      /** Entries deleted or trimmed while pending (delivered, not yet acknowledged): they cannot be processed. */
      type: "entries-lost";
      stream: string;
      ids: string[];
      reason: string;
    }
  | {
      /** Entries moved to the dead-letter stream after `maxDeliveries` deliveries without an ack. */
      type: "entries-dead-lettered";
      stream: string;
      deadLetterStream: string;
      ids: string[];
      reasons: string[];
    }
  | {
      /** A handler failed (or a batch could not be built): its unacknowledged entries will be delivered again. */
      type: "batch-failed";
      entries: { stream: string; id: string }[];
      error: unknown;
    }
  | {
      /** Idle entries of other consumers taken over with XAUTOCLAIM. */
      type: "entries-claimed";
      stream: string;
      ids: string[];
    }
  | {
      /**
       * The stream was trimmed past the group's position: `missing` entries that were never delivered to the
       * group are gone. Reported once per gap, whichever consumer of the group sees it first.
       */
      type: "stream-gap";
      stream: string;
      group: string;
      lastDeliveredId: string;
      firstAvailableId: string | undefined;
      /** Entries trimmed before delivery; undefined when Redis lost count (after an AOF replay or failover). */
      missing: number | undefined;
    }
  | {
      /** A Redis call failed with a transient error; the consumer waits `delayMs` and tries again. */
      type: "read-retry";
      error: unknown;
      attempt: number;
      delayMs: number;
    }
  | {
      /** A blocking read gave no answer within blockMs + watchdogMs; its connection was replaced. */
      type: "read-hung";
      waitedMs: number;
    }
  | {
      /** XACK failed for good (after its retries); the entries stay pending and will be delivered again. */
      type: "ack-failed";
      stream: string;
      ids: string[];
      error: unknown;
    };

export type ConsumerEventListener = (event: ConsumerEvent) => void;
