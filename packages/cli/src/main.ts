import { parseArgs } from "node:util";
import type { RedisConnection } from "@polars-redis/core";
import { CliError, usageError } from "./cli-error.js";
import type { CommandContext, CommandSpec } from "./command.js";
import { COMMANDS } from "./commands/index.js";
import { ExitCode, type ExitCodeValue } from "./exit-codes.js";
import { allOptions, commandHelp, groupHelp } from "./help.js";
import { Output } from "./output/output.js";
import { Progress } from "./output/progress.js";
import { parseInteger } from "./values.js";

export interface MainOptions {
  readonly stdout?: (NodeJS.WritableStream & { isTTY?: boolean | undefined }) | undefined;
  readonly stderr?: (NodeJS.WritableStream & { isTTY?: boolean | undefined }) | undefined;
  readonly env?: NodeJS.ProcessEnv | undefined;
  /** Aborts the running command (the binary wires SIGINT and SIGTERM to it). */
  readonly signal?: AbortSignal | undefined;
}

/** Runs one command line (without "node" and the script) and returns the exit code. */
export async function main(argv: readonly string[], options: MainOptions = {}): Promise<ExitCodeValue> {
  const stdout = (options.stdout ?? process.stdout) as NodeJS.WritableStream & { isTTY?: boolean };
  const stderr = (options.stderr ?? process.stderr) as NodeJS.WritableStream & { isTTY?: boolean };
  const out = new Output(stdout as never, stderr as never);
  const signal = options.signal ?? new AbortController().signal;
  const debug = argv.includes("--debug");
  let connection: RedisConnection | undefined;
  try {
    const wordIndexes = positionalIndexes(argv);
    const words = wordIndexes.map((index) => argv[index]!);
    if (argv.length === 0) {
      stderr.write(groupHelp(COMMANDS, ""));
      return ExitCode.USAGE;
    }
    if (argv[0] === "--version" || argv[0] === "-V") {
      await out.line(await version());
      return ExitCode.OK;
    }
    const spec = findCommand(words);
    if (spec === undefined) {
      const group = groupOf(words);
      if (group !== undefined && (argv.includes("--help") || argv.includes("-h") || words.length === 1)) {
        const help = groupHelp(COMMANDS, group);
        if (argv.includes("--help") || argv.includes("-h") || group === "") {
          await out.write(help);
          return ExitCode.OK;
        }
        stderr.write(help);
        return ExitCode.USAGE;
      }
      if (argv[0] === "--help" || argv[0] === "-h" || argv[0] === "help") {
        await out.write(groupHelp(COMMANDS, ""));
        return ExitCode.OK;
      }
      throw usageError(
        `unknown command ${JSON.stringify(words.join(" "))}`,
        "see polars-redis --help for the commands",
      );
    }
    const commandWords = new Set(wordIndexes.slice(0, spec.name.split(" ").length));
    const rest = argv.filter((_, index) => !commandWords.has(index));
    const parsed = parse(spec, rest);
    if (parsed.values.help === true) {
      await out.write(commandHelp(spec));
      return ExitCode.OK;
    }
    const { positionals } = parsed;
    if (positionals.length < spec.positionals.min || positionals.length > spec.positionals.max) {
      throw usageError(
        positionals.length < spec.positionals.min
          ? `missing arguments: polars-redis ${spec.name} ${spec.synopsis}`
          : `unexpected argument ${JSON.stringify(positionals[spec.positionals.max])}`,
        `see polars-redis ${spec.name} --help`,
      );
    }
    const env = options.env ?? process.env;
    const quiet = parsed.values.quiet === true;
    const progress = new Progress(
      stderr,
      !quiet && (parsed.values.progress === true || stderr.isTTY === true),
    );
    const openers = connectionOpener(spec, parsed.values, env);
    const context: CommandContext = {
      values: parsed.values,
      positionals,
      out: quiet ? quietOutput(out) : out,
      progress,
      signal,
      env,
      cluster: parsed.values.cluster === true,
      connection: async () => {
        connection ??= await openers();
        return connection;
      },
    };
    const code = await spec.run(context);
    if (signal.aborted) return interruptedCode(signal, out);
    return code;
  } catch (error) {
    if (signal.aborted) return interruptedCode(signal, out);
    return await report(error, out, debug);
  } finally {
    await connection?.close().catch(() => undefined);
    await out.flush();
  }
}

function findCommand(words: readonly string[]): CommandSpec | undefined {
  let best: CommandSpec | undefined;
  for (const command of COMMANDS) {
    const parts = command.name.split(" ");
    if (parts.every((part, index) => words[index] === part)) {
      if (best === undefined || parts.length > best.name.split(" ").length) best = command;
    }
  }
  return best;
}

/** The command group the words name ("streams", "streams dlq", "keys"), or "" for none. */
function groupOf(words: readonly string[]): string | undefined {
  for (let length = words.length; length >= 1; length--) {
    const prefix = words.slice(0, length).join(" ");
    if (COMMANDS.some((command) => command.name.startsWith(`${prefix} `))) return prefix;
  }
  return words.length === 0 ? "" : undefined;
}

/**
 * The indexes of the arguments that are not options or option values, so that options may come before, between
 * or after the command words (`polars-redis --url redis://h keys count "*"`). Any command's string option
 * takes the next argument as its value unless written `--name=value`.
 */
function positionalIndexes(argv: readonly string[]): number[] {
  const valued = new Set<string>();
  for (const command of COMMANDS) {
    for (const [name, option] of Object.entries(allOptions(command))) {
      if (option.type !== "string") continue;
      valued.add(`--${name}`);
      if (option.short) valued.add(`-${option.short}`);
    }
  }
  const indexes: number[] = [];
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index]!;
    if (arg === "--") {
      for (let rest = index + 1; rest < argv.length; rest++) indexes.push(rest);
      break;
    }
    if (arg.startsWith("-") && arg !== "-") {
      if (valued.has(arg)) index++; // its value
      continue;
    }
    indexes.push(index);
  }
  return indexes;
}

function parse(
  spec: CommandSpec,
  args: readonly string[],
): { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] } {
  const options = Object.fromEntries(
    Object.entries(allOptions(spec)).map(([name, option]) => [
      name,
      {
        type: option.type,
        ...(option.short ? { short: option.short } : {}),
        ...(option.multiple ? { multiple: true } : {}),
      },
    ]),
  );
  try {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: options as never,
      allowPositionals: true,
      strict: true,
    });
    return { values: values as Record<string, string | boolean | string[] | undefined>, positionals };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw usageError(message.split("\n")[0]!, `see polars-redis ${spec.name} --help`);
  }
}

function connectionOpener(
  spec: CommandSpec,
  values: Readonly<Record<string, unknown>>,
  env: NodeJS.ProcessEnv,
): () => Promise<RedisConnection> {
  if (!spec.connects) return () => Promise.reject(new Error(`${spec.name} does not connect`));
  const url = (values.url as string | undefined) ?? env.REDIS_URL;
  const connectTimeoutMs = parseInteger(values["connect-timeout"], "--connect-timeout", { min: 1 }) ?? 5000;
  const commandTimeoutMs = parseInteger(values["command-timeout"], "--command-timeout", { min: 0 }) ?? 30_000;
  if (url === undefined || url === "") {
    // No default server: a tool that can delete keys must not pick one on its own.
    throw usageError("no server given: pass --url redis://host:port or set REDIS_URL");
  }
  if (values.cluster === true) {
    const seeds = url
      .split(",")
      .map((seed) => seed.trim())
      .filter((seed) => seed !== "");
    return async () => {
      const { connectCluster } = await import("@polars-redis/cluster");
      return connectCluster(seeds, { connectTimeoutMs, commandTimeoutMs, clientName: "polars-redis-cli" });
    };
  }
  if (url.includes(",")) throw usageError("several URLs given; add --cluster for a Redis Cluster");
  return async () => {
    const { connect } = await import("@polars-redis/core");
    return connect(url, { connectTimeoutMs, commandTimeoutMs, clientName: "polars-redis-cli" });
  };
}

/** The exit code for an error, after printing it on stderr as one line (plus a hint). */
async function report(error: unknown, out: Output, debug: boolean): Promise<ExitCodeValue> {
  if (error instanceof CliError) {
    out.note(`polars-redis: ${error.message}`);
    if (error.hint) out.note(error.hint);
    return error.exitCode;
  }
  const known = await libraryError(error);
  if (known !== undefined) {
    out.note(`polars-redis: ${known.message}`);
    if (debug) out.note(known.stack ?? "");
    switch (known.code) {
      case "INVALID_ARGUMENT":
        return ExitCode.USAGE;
      case "CONNECTION":
      case "TIMEOUT":
        return ExitCode.CONNECTION;
      case "PARTIAL_WRITE":
        return ExitCode.PARTIAL;
      case "ABORTED":
        return ExitCode.INTERRUPTED;
      default:
        return ExitCode.REDIS_ERROR;
    }
  }
  const message = error instanceof Error ? error.message : String(error);
  out.note(`polars-redis: unexpected error: ${message}`);
  if (debug && error instanceof Error) out.note(error.stack ?? "");
  else out.note("rerun with --debug for the stack");
  return ExitCode.INTERNAL;
}

/** An error of the library's family (core's PolarsRedisError, recognised by its marker in any copy of core). */
async function libraryError(
  error: unknown,
): Promise<{ code: string; message: string; stack?: string } | undefined> {
  try {
    const { PolarsRedisError } = await import("@polars-redis/core");
    return PolarsRedisError.isInstance(error) ? error : undefined;
  } catch {
    return undefined; // core itself failed to load: that error is reported as unexpected
  }
}

function interruptedCode(signal: AbortSignal, out: Output): ExitCodeValue {
  const terminated = signal.reason === "SIGTERM";
  out.note(`polars-redis: interrupted (${terminated ? "SIGTERM" : "SIGINT"})`);
  return terminated ? ExitCode.TERMINATED : ExitCode.INTERRUPTED;
}

/** --quiet: notes on stderr are dropped (errors are printed by `report`, which uses the unwrapped output). */
function quietOutput(out: Output): Output {
  return new Proxy(out, {
    get(target, property, receiver) {
      if (property === "note") return () => undefined;
      const value = Reflect.get(target, property, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

async function version(): Promise<string> {
  const { readFile } = await import("node:fs/promises");
  const manifest = JSON.parse(await readFile(new URL("../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return manifest.version;
}

export { CliError };
