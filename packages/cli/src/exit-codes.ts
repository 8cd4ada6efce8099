/**
 * The exit codes scripts can rely on. They are part of the CLI's contract (docs/cli.md): a code never
 * changes meaning; new situations get new codes.
 */
export const ExitCode = {
  /** Done; for `write` and `keys delete`, every key succeeded. */
  OK: 0,
  /** An unexpected error (a bug): the message, and the stack with `--debug`. */
  INTERNAL: 1,
  /** Bad command line: unknown command or option, bad value, invalid SQL, unreadable schema or input file. */
  USAGE: 2,
  /** Could not connect, the connection was lost, or a command timed out. */
  CONNECTION: 3,
  /** Nothing to work on: the pattern matched no keys, the stream or the consumer group does not exist. */
  NOT_FOUND: 4,
  /** Partial failure: some keys or entries failed (see the summary and the retry file); the rest succeeded. */
  PARTIAL: 5,
  /** Redis refused a command (WRONGTYPE, a module not loaded, ...) or a value did not fit the schema. */
  REDIS_ERROR: 6,
  /** Stopped by Ctrl-C (SIGINT): 128 + 2, as shells report it. Nothing half-written (see docs/cli.md). */
  INTERRUPTED: 130,
  /** Stopped by SIGTERM: 128 + 15. */
  TERMINATED: 143,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** The table printed by `polars-redis --help` and in docs/cli.md. */
export const EXIT_CODE_HELP = `Exit codes:
  0    ok (write, keys delete, dlq replay: every key or entry succeeded)
  1    unexpected error (a bug; rerun with --debug for the stack)
  2    usage error: unknown command or option, bad value, invalid SQL, unreadable file
  3    connection error: cannot connect, connection lost, timeout
  4    not found: the pattern matched no keys, the stream or group does not exist
  5    partial failure: some keys or entries failed (see the summary and the retry file)
  6    Redis refused a command (WRONGTYPE, module not loaded, ...) or a value did not fit the schema
  130  interrupted by Ctrl-C (SIGINT); 143 for SIGTERM. Nothing is left half-written.`;
