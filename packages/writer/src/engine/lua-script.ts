// One Lua script class for the project: core's (EVALSHA, EVAL on NOSCRIPT, sources remembered by SHA).
export { LuaScript } from "@polars-redis/core/internal";
