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
