import { perKeyScript } from "./per-key-script.js";

/**
 * Writes RedisTimeSeries keys atomically (replace and fail mode, and staged parts of large series), many keys
 * per call. KEYS: the series. ARGV[1]: replace | append | fail; ARGV[2]: retention in ms ("" = server default);
 * ARGV[3]: duplicate policy for series it creates; ARGV[4]: a MessagePack array holding, per key: ttl in ms
 * (0 = none), n, and n arguments: c, c label name/value arguments, then timestamp/value pairs.
 * replace: DEL, TS.CREATE, TS.MADD; fail: skip an existing key, else create and add; append: create unless it
 * exists, then add. Returns per key 1 (written), 0 (skipped) or the first error (a sample's error included).
 */
export const TIMESERIES_SCRIPT = perKeyScript({
  setup: "local retention, policy = ARGV[2], ARGV[3]",
  payloadArgv: 4,
  writeKey: `
local p = first
local create = { 'TS.CREATE', key, 'DUPLICATE_POLICY', policy }
if retention ~= '' then
  create[#create + 1] = 'RETENTION'
  create[#create + 1] = retention
end
local labels = tonumber(args[p])
if labels > 0 then
  create[#create + 1] = 'LABELS'
  for j = p + 1, p + labels do create[#create + 1] = args[j] end
end
p = p + 1 + labels
local created = redis.pcall(unpack(create))
if type(created) == 'table' and created.err and not (mode == 'append' and string.find(created.err, 'already exists', 1, true)) then
  status = created.err
end
while status == 1 and p <= last do
  local stop = math.min(p + 1999, last)
  local madd = { 'TS.MADD' }
  for j = p, stop, 2 do
    madd[#madd + 1] = key
    madd[#madd + 1] = args[j]
    madd[#madd + 1] = args[j + 1]
  end
  local reply = redis.pcall(unpack(madd))
  if type(reply) == 'table' and reply.err then
    status = reply.err
  else
    for _, sample in ipairs(reply) do
      if type(sample) == 'table' and sample.err then
        status = sample.err
        break
      end
    end
  end
  p = stop + 1
end`,
});
