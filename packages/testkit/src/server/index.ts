export { RedisServerError, RedisServerNotFoundError } from "./redis-server-error.js";
export { type RedisServer, type StartRedisOptions, startRedis } from "./start-redis.js";
