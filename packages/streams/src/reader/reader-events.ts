/** What a group-less reader reports besides its batches. */
export type ReaderEvent =
  | {
      /**
       * Entries after the reader's position were trimmed away before it read them. Reported once: the
       * position's index is moved past the gap (and stored on the next commit).
       */
      type: "stream-gap";
      stream: string;
      lastSeenId: string;
      firstAvailableId: string | undefined;
      missing: number;
    }
  | { type: "read-retry"; error: unknown; attempt: number; delayMs: number }
  | { type: "read-hung"; waitedMs: number };

export type ReaderEventListener = (event: ReaderEvent) => void;
