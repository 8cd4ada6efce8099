import type { RedisConnection } from "@polars-redis/core";
import { LuaScript } from "@polars-redis/core/internal";
import { parseEntries, type StreamEntry } from "../frame/stream-entry.js";
import { LUA_STREAM_HELPERS } from "../internal/lua-stream-ids.js";

/**
 * XREAD (without blocking) together with the stream's counters, atomically: the entries after `position`, and
 * entries-added, length, first and last entry ids at that same moment. The counters let a group-less reader
 * know the logical index of its position, and so notice entries that were trimmed away before it read them.
 * `$` is resolved to the last generated id here, inside the same atomic step.
 */
const READ_WITH_COUNTERS = new LuaScript(`${LUA_STREAM_HELPERS}
local stream, position, count = KEYS[1], ARGV[1], ARGV[2]
if redis.call('EXISTS', stream) == 0 then
  if position == '$' then position = '0-0' end
  return {{}, 0, 0, '', '', '0-0', position}
end
local s = totable(redis.call('XINFO', 'STREAM', stream))
if position == '$' then position = s['last-generated-id'] end
local reply = redis.call('XREAD', 'COUNT', count, 'STREAMS', stream, position)
local entries = {}
if reply then entries = reply[1][2] end
local first, last = s['first-entry'], s['last-entry']
return {entries, s['entries-added'], s['length'], first and first[1] or '', last and last[1] or '',
  s['last-generated-id'], position}
`);

export interface CountedRead {
  entries: StreamEntry[];
  entriesAdded: number;
  length: number;
  firstId: string | undefined;
  lastId: string | undefined;
  lastGeneratedId: string;
  /** The position read after (`$` resolved). */
  position: string;
}

export async function readWithCounters(
  conn: RedisConnection,
  stream: string,
  position: string,
  count: number,
): Promise<CountedRead> {
  const reply = (await READ_WITH_COUNTERS.run(conn, [stream], [position, count])) as [
    unknown,
    number,
    number,
    string,
    string,
    string,
    string,
  ];
  return {
    entries: parseEntries(stream, reply[0]).entries,
    entriesAdded: Number(reply[1]),
    length: Number(reply[2]),
    firstId: reply[3] === "" ? undefined : String(reply[3]),
    lastId: reply[4] === "" ? undefined : String(reply[4]),
    lastGeneratedId: String(reply[5]),
    position: String(reply[6]),
  };
}
