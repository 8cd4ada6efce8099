import type { ConsumerEvent } from "../consumer/consumer-events.js";

/** What a router reports: its source consumer's events, and each route's trouble and recovery. */
export type RouterEvent =
  | ConsumerEvent
  | {
      /** A route's write failed; it is tried again after `delayMs` while the other routes carry on. */
      type: "route-retry";
      route: string;
      attempt: number;
      delayMs: number;
      error: unknown;
    }
  | {
      /** A route wrote again after failures. */
      type: "route-recovered";
      route: string;
      failedAttempts: number;
      downMs: number;
    }
  | {
      /** Rows a route's sink rejected for good (not retryable), after `maxAttempts`: copied to the dead-letter stream. */
      type: "route-dead-lettered";
      route: string;
      stream: string;
      ids: string[];
      reason: string;
    }
  | {
      /** Entries a route still had to write were deleted from the source before it could re-read them. */
      type: "route-entries-lost";
      route: string;
      stream: string;
      ids: string[];
    };

export type RouterEventListener = (event: RouterEvent) => void;
