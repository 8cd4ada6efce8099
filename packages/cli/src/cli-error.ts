import { ExitCode, type ExitCodeValue } from "./exit-codes.js";

/** An error the CLI reports as one line on stderr and turns into a specific exit code. */
export class CliError extends Error {
  readonly exitCode: ExitCodeValue;
  /** Printed after the message, e.g. "see polars-redis scan --help". */
  readonly hint: string | undefined;

  constructor(exitCode: ExitCodeValue, message: string, hint?: string) {
    super(message);
    this.name = "CliError";
    this.exitCode = exitCode;
    this.hint = hint;
  }
}

/** A bad command line (exit 2). */
export function usageError(message: string, hint?: string): CliError {
  return new CliError(ExitCode.USAGE, message, hint);
}

/** Nothing to work on (exit 4). */
export function notFound(message: string): CliError {
  return new CliError(ExitCode.NOT_FOUND, message);
}
