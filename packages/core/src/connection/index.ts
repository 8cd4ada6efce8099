export { type ConnectOptions, connect } from "./connect.js";
export { decodeKeys, nonUtf8KeyHandler } from "./ioredis-connection.js";
export { isCommandError } from "./is-command-error.js";
export { type ParsedRedisUrl, parseRedisUrl, redact } from "./parse-redis-url.js";
export type {
  BatchOptions,
  BatchReply,
  Command,
  CommandError,
  RedisArgument,
  RedisConnection,
  RedisKeyType,
  RedisReply,
  ScanKeysOptions,
} from "./redis-connection.js";
