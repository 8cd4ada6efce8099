import type { RedisConnection } from "@polars-redis/core";
import { LUA_STREAM_HELPERS } from "../internal/lua-stream-ids.js";
import { LuaScript } from "../internal/run-script.js";

/**
 * Creates the group when missing, atomically with reading the stream's counters, so the group's entries-read
 * counter starts exact: at "0" it counts the entries trimmed before the group existed as read (they are
 * history, not a gap), at "$" Redis sets it itself. Gap detection relies on this counter.
 * Returns "created" or "exists".
 */
const ENSURE_GROUP = new LuaScript(`${LUA_STREAM_HELPERS}
local stream, group, start = KEYS[1], ARGV[1], ARGV[2]
if redis.call('EXISTS', stream) == 0 then
  redis.call('XGROUP', 'CREATE', stream, group, start, 'MKSTREAM')
  return 'created'
end
if findgroup(stream, group) then return 'exists' end
local s = totable(redis.call('XINFO', 'STREAM', stream))
local added, length = s['entries-added'], s['length']
local first = s['first-entry']
local lastgen = s['last-generated-id']
local read = nil
if start == '$' then
  read = nil
elseif start == '0' or start == '0-0' or length == 0 then
  if length == 0 and start ~= '0' and start ~= '0-0' and cmpid(start, lastgen) < 0 then read = nil
  else read = added - length end
elseif first and cmpid(start, first[1]) < 0 then
  read = added - length
elseif cmpid(start, lastgen) >= 0 then
  read = added
end
if read then
  redis.call('XGROUP', 'CREATE', stream, group, start, 'ENTRIESREAD', read)
else
  redis.call('XGROUP', 'CREATE', stream, group, start)
end
return 'created'
`);

export async function ensureGroup(
  conn: RedisConnection,
  stream: string,
  group: string,
  startId: string,
): Promise<"created" | "exists"> {
  const start = startId === "0" ? "0-0" : startId;
  return (await ENSURE_GROUP.run(conn, [stream], [group, start])) as "created" | "exists";
}
