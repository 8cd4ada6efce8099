import { perKeyScript } from "./per-key-script.js";

/**
 * Adds stream entries, many keys per call. KEYS: the streams. ARGV[1]: replace | append | fail; ARGV[2]: trim
 * strategy ("" | MAXLEN | MINID); ARGV[3]: "~" or "="; ARGV[4]: trim threshold; ARGV[5]: a MessagePack array
 * holding, per key: ttl in ms (0 = none), n, and n arguments made of entries: id ("*" for a server-generated
 * id), m, m field/value args.
 *
 * An explicit id at or below the stream's last id is either an entry already added (a replay after a lost
 * reply, or a retried batch) or one out of order. The first is counted as written, so replays are harmless;
 * the second is an error (never dropped silently): an id below the last one that is not in the stream was
 * written out of order (several sources feeding one stream) or trimmed away since.
 * Returns per key 1 (written), 0 (skipped: it existed, in fail mode) or the error text of the failing XADD.
 */
export const STREAM_SCRIPT = perKeyScript({
  setup: "local strategy, operator, threshold = ARGV[2], ARGV[3], ARGV[4]",
  payloadArgv: 5,
  writeKey: `
local p = first
while p <= last do
  local id = args[p]
  local m = tonumber(args[p + 1])
  local reply
  if strategy == '' then
    reply = redis.pcall('XADD', key, id, unpack(args, p + 2, p + 1 + m))
  else
    reply = redis.pcall('XADD', key, strategy, operator, threshold, id, unpack(args, p + 2, p + 1 + m))
  end
  p = p + 2 + m
  if type(reply) == 'table' and reply.err then
    if not string.find(reply.err, 'equal or smaller', 1, true) then
      status = reply.err
      break
    end
    if #redis.call('XRANGE', key, id, id) == 0 then
      status = 'ERR entry id ' .. id .. ' is below the last id of the stream but not in it: out of order (several sources feeding one stream?) or trimmed'
      break
    end
  end
end`,
});
