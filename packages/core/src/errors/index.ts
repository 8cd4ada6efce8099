export { AbortedError, throwIfAborted } from "./aborted-error.js";
export type { CommandOutcome } from "./command-outcome.js";
export { ConnectionClosedError } from "./connection-closed-error.js";
export { InvalidArgumentError } from "./invalid-argument-error.js";
export {
  ModuleNotLoadedError,
  moduleNotLoadedFrom,
  moduleOfCommand,
  type RedisModuleName,
  requireModule,
} from "./module-not-loaded-error.js";
export { type ErrorCode, PolarsRedisError, type PolarsRedisErrorOptions } from "./polars-redis-error.js";
export { isRetryableRedisCode, RedisCommandError, redisCodeOf } from "./redis-command-error.js";
export { RedisConnectionError } from "./redis-connection-error.js";
export { RedisTimeoutError } from "./redis-timeout-error.js";
export { SchemaMismatchError } from "./schema-mismatch-error.js";
export { StreamGapError } from "./stream-gap-error.js";
