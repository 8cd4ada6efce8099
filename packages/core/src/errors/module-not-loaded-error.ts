import { hasMarker, PolarsRedisError } from "./polars-redis-error.js";

const marker = "polars-redis.error.module-not-loaded";
const symbol = Symbol.for(marker);

/** The Redis modules this project talks to, by the name `MODULE LIST` reports. */
export type RedisModuleName = "search" | "timeseries" | "ReJSON";

const loadHints: Record<RedisModuleName, string> = {
  search: "load RediSearch (redis-server --loadmodule /path/to/redisearch.so) or use Redis Stack / Redis 8",
  timeseries:
    "load RedisTimeSeries (redis-server --loadmodule /path/to/redistimeseries.so) or use Redis Stack / Redis 8",
  ReJSON: "load RedisJSON (redis-server --loadmodule /path/to/rejson.so) or use Redis Stack / Redis 8",
};

/**
 * A command needs a Redis module that the server has not loaded (Redis answered "unknown command" for
 * FT.*, TS.* or JSON.*). Not retryable: retrying cannot load a module. Thrown once, before or instead of
 * per-key errors, so a missing module never looks like empty data.
 */
export class ModuleNotLoadedError extends PolarsRedisError {
  protected readonly [symbol] = true;
  readonly module: RedisModuleName;
  /** The command Redis did not know, e.g. "JSON.SET". */
  readonly command: string;

  constructor(options: { module: RedisModuleName; command: string; cause?: unknown }) {
    super({
      code: "MODULE_NOT_LOADED",
      message: `${options.command} needs the Redis module "${options.module}", which this server has not loaded: ${loadHints[options.module]}`,
      cause: options.cause,
    });
    this.name = "ModuleNotLoadedError";
    this.module = options.module;
    this.command = options.command.toUpperCase();
  }

  static override isInstance(error: unknown): error is ModuleNotLoadedError {
    return hasMarker(error, marker);
  }
}

const COMMAND_MODULES: ReadonlyArray<readonly [string, RedisModuleName]> = [
  ["JSON.", "ReJSON"],
  ["TS.", "timeseries"],
  ["FT.", "search"],
];

/** The module a command belongs to ("JSON.GET" → "ReJSON"), or undefined for core commands. */
export function moduleOfCommand(command: string): RedisModuleName | undefined {
  const upper = command.toUpperCase();
  return COMMAND_MODULES.find(([prefix]) => upper.startsWith(prefix))?.[1];
}

/**
 * The ModuleNotLoadedError an error stands for, when it is Redis's "unknown command" answer to a module's
 * command (directly, or from inside a script: "Unknown Redis command called from script"); else undefined.
 * `command` names the command when the error does not (a script's error names EVALSHA).
 */
export function moduleNotLoadedFrom(error: unknown, command?: string): ModuleNotLoadedError | undefined {
  if (ModuleNotLoadedError.isInstance(error)) return error;
  if (!(error instanceof Error) || !/unknown (redis )?command/i.test(error.message)) return undefined;
  const named = /unknown command [`'"]?([A-Za-z]+\.[A-Za-z]+)/i.exec(error.message)?.[1];
  const candidate = named ?? command ?? (error as { command?: string }).command ?? "";
  const module = moduleOfCommand(candidate);
  return module === undefined
    ? undefined
    : new ModuleNotLoadedError({ module, command: candidate, cause: error });
}

/** Connections known to have a module loaded: each is asked once. */
const confirmed = new WeakMap<object, Set<string>>();

/**
 * Throws a ModuleNotLoadedError unless the server knows `command` (`COMMAND INFO <command>`, asked once per
 * connection and module; a server that refuses COMMAND, e.g. under an ACL, is given the benefit of the doubt).
 * Used where a missing module would otherwise look like empty data (SCAN ... TYPE ReJSON-RL finds nothing) or
 * fail key by key (a writer).
 */
export async function requireModule(
  connection: { call(command: string, ...args: string[]): Promise<unknown> },
  command: string,
): Promise<void> {
  const module = moduleOfCommand(command);
  if (module === undefined) return;
  const known = confirmed.get(connection);
  if (known?.has(module)) return;
  let reply: unknown;
  try {
    reply = await connection.call("COMMAND", "INFO", command);
  } catch {
    return;
  }
  if (Array.isArray(reply) && reply.length > 0 && reply[0] == null) {
    throw new ModuleNotLoadedError({ module, command });
  }
  if (known) known.add(module);
  else confirmed.set(connection, new Set([module]));
}
