import { perKeyScript } from "./per-key-script.js";

/**
 * Writes hashes (HSET), sets (SADD), sorted sets (ZADD) and lists (RPUSH), many keys per call, each key
 * atomically. KEYS: the keys. ARGV[1]: replace | append | fail; ARGV[2]: the command; ARGV[3]: arguments per
 * command (even, so field/value and score/member pairs stay together; Lua's unpack is limited to ~8000 values);
 * ARGV[4]: a MessagePack array holding, per key: ttl in ms (0 = none), n, and n arguments.
 *
 * In replace mode the shared loop deletes each key that exists before writing it (old fields, members and TTL
 * go, so each key ends up exactly as written), unless its slot is being migrated away (see perKeyScript).
 * Returns the number of keys when every key was written; otherwise, per key, 1 (written), 0 (skipped: it
 * existed, in fail mode) or the error text of the failing command.
 */
export const COLLECTION_SCRIPT = perKeyScript({
  setup: `
local command, step = ARGV[2], tonumber(ARGV[3])`,
  payloadArgv: 4,
  writeKey: `
for s = first, last, step do
  local reply = redis.pcall(command, key, unpack(args, s, math.min(s + step - 1, last)))
  if type(reply) == 'table' and reply.err then
    status = reply.err
    break
  end
end`,
  result: `
for i = 1, #KEYS do
  if out[i] ~= 1 then return out end
end
return #KEYS`,
});

/** Arguments per command inside the collection script. */
export const COLLECTION_STEP = 1000;
