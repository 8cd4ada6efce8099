import { isCommandError } from "../connection/is-command-error.js";
import type { BatchReply, CommandError } from "../connection/redis-connection.js";

/** What a delete did. Every key is counted once: deleted, not found (already gone), or failed. */
export interface DeleteResult {
  readonly deleted: number;
  readonly notFound: number;
  readonly failed: number;
  /** The error of each failed key (for pattern deletes, the first `maxErrors` of them). */
  readonly errors: ReadonlyMap<string, CommandError>;
  failedKeys(): string[];
  isCompleteSuccess(): boolean;
}

export class DeleteTally implements DeleteResult {
  deleted = 0;
  notFound = 0;
  failed = 0;
  readonly errors = new Map<string, CommandError>();

  constructor(private readonly maxErrors = Number.POSITIVE_INFINITY) {}

  /** Counts one UNLINK/DEL reply: 1 deleted, 0 not found, or the key's error. */
  count(key: string, reply: BatchReply): void {
    if (isCommandError(reply)) {
      this.failed++;
      if (this.errors.size < this.maxErrors) this.errors.set(key, reply);
    } else if (reply === 1) {
      this.deleted++;
    } else {
      this.notFound++;
    }
  }

  failedKeys(): string[] {
    return [...this.errors.keys()];
  }

  isCompleteSuccess(): boolean {
    return this.failed === 0;
  }
}
