/**
 * What is known about a command that failed:
 * - "rejected": the server answered with an error, so it did not apply the command.
 * - "unknown": no answer arrived (connection lost, timeout); the server may or may not have applied it.
 *
 * Retry logic needs this distinction: re-sending an "unknown" non-idempotent command can apply it twice.
 */
export type CommandOutcome = "rejected" | "unknown";
