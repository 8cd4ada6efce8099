export { isCommandError } from "./is-command-error.js";
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
