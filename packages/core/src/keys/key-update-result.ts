import { isCommandError } from "../connection/is-command-error.js";
import type { BatchReply, CommandError } from "../connection/redis-connection.js";

/**
 * What a key utility did to each key. Every key lands in exactly one bucket:
 * - succeeded: the command changed the key;
 * - skipped: the key was left as it was for a reason that is not an error (what the reason is depends on the
 *   function: a missing key, a key without a TTL, a rename target that already exists);
 * - failed: the command failed for this key; `errors` holds its error (with `outcome` "rejected" when the
 *   server refused, "unknown" when no answer arrived).
 */
export interface KeyUpdateResult {
  readonly succeeded: number;
  readonly skipped: number;
  readonly failed: number;
  readonly skippedKeys: readonly string[];
  readonly errors: ReadonlyMap<string, CommandError>;
  failedKeys(): string[];
  /** No key failed (skipped keys are not failures). */
  isCompleteSuccess(): boolean;
}

/** Collects per-key outcomes into a KeyUpdateResult. */
export class KeyUpdateTally implements KeyUpdateResult {
  succeeded = 0;
  skipped = 0;
  failed = 0;
  readonly skippedKeys: string[] = [];
  readonly errors = new Map<string, CommandError>();

  succeed(): void {
    this.succeeded++;
  }

  skip(key: string): void {
    this.skipped++;
    this.skippedKeys.push(key);
  }

  fail(key: string, error: CommandError): void {
    this.failed++;
    this.errors.set(key, error);
  }

  /**
   * Counts the replies of commands that answer 1 when they changed the key and 0 when they left it (EXPIRE,
   * PERSIST): 1 succeeded, 0 skipped, an error failed. `replies[i]` belongs to `keys[i]`.
   */
  countChangedFlags(keys: readonly string[], replies: readonly BatchReply[]): void {
    for (let index = 0; index < keys.length; index++) {
      const reply = replies[index]!;
      if (isCommandError(reply)) this.fail(keys[index]!, reply);
      else if (reply === 1) this.succeed();
      else this.skip(keys[index]!);
    }
  }

  failedKeys(): string[] {
    return [...this.errors.keys()];
  }

  isCompleteSuccess(): boolean {
    return this.failed === 0;
  }
}
