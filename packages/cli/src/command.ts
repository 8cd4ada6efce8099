import type { RedisConnection } from "@polars-redis/core";
import type { ExitCodeValue } from "./exit-codes.js";
import type { Output } from "./output/output.js";
import type { Progress } from "./output/progress.js";

/** One option of a command, as `node:util` parseArgs takes it, plus its help text. */
export interface OptionSpec {
  readonly type: "string" | "boolean";
  readonly short?: string;
  readonly multiple?: boolean;
  /** The value's placeholder in the help text, e.g. "N" or "FILE". */
  readonly value?: string;
  readonly help: string;
}

/** A command (`scan`) or a subcommand (`streams dlq list`). */
export interface CommandSpec {
  /** The words that select it: "scan", "keys count", "streams dlq replay". */
  readonly name: string;
  readonly summary: string;
  /** The argument part of the synopsis: "<type> <pattern> [options]". */
  readonly synopsis: string;
  /** Paragraphs printed below the synopsis. */
  readonly description?: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  readonly examples: readonly string[];
  /** Adds --url, --cluster and the connection options. */
  readonly connects: boolean;
  /** Adds --json (every inspection command has it). */
  readonly json: boolean;
  /** Positional arguments: at least `min`, at most `max`. */
  readonly positionals: { readonly min: number; readonly max: number };
  run(context: CommandContext): Promise<ExitCodeValue>;
}

/** What a command's `run` gets. */
export interface CommandContext {
  readonly values: Readonly<Record<string, string | boolean | string[] | undefined>>;
  readonly positionals: readonly string[];
  readonly out: Output;
  readonly progress: Progress;
  /** Fires on Ctrl-C (SIGINT) or SIGTERM: stop cleanly, leave nothing half-written. */
  readonly signal: AbortSignal;
  readonly env: NodeJS.ProcessEnv;
  /** Opens the connection (once; closed by the CLI after `run`). */
  connection(): Promise<RedisConnection>;
  /** The connection is a Redis Cluster (`--cluster`). */
  readonly cluster: boolean;
}
