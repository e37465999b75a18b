-- Adds the deltas of one committed transaction to one partition's live hash, once per push id.
-- KEYS[1] live hash, KEYS[2] since (ms of the oldest live delta), KEYS[3] push marker
-- ARGV[1] marker time-to-live in ms, ARGV[2..] field, delta, field, delta, ...
-- Returns 1 if applied, 0 if this push id was applied before (a retry after an ambiguous error).
if not redis.call('SET', KEYS[3], '1', 'NX', 'PX', ARGV[1]) then
  return 0
end
for i = 2, #ARGV, 2 do
  redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1])
end
if redis.call('EXISTS', KEYS[2]) == 0 then
  local now = redis.call('TIME')
  redis.call('SET', KEYS[2], now[1] * 1000 + math.floor(now[2] / 1000))
end
return 1
