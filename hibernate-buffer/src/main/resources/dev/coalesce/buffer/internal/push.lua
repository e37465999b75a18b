-- Adds one push (a group of committed deltas) to one partition's live hash, at most once.
-- KEYS[1] live hash, KEYS[2] since (ms of the oldest live delta), KEYS[3] this node's push marker
-- (the sequence number of its last push applied here), KEYS[4] the partition's epoch
-- ARGV[1] push sequence number (increasing per node; a node sends push n+1 only once push n is
-- settled), ARGV[2] marker time-to-live in ms, ARGV[3] the epoch this push must find ('' for a push
-- never sent before: any epoch), ARGV[4] a new epoch to set if the partition has none (its data
-- is gone), ARGV[5..] field, delta, field, delta, ...
-- Returns {1, epoch} if applied, {0, epoch} if this push was applied before (a retry after an
-- ambiguous error), {-1, epoch} if the epoch differs from ARGV[3]: the partition lost its data
-- since (a restart without persistence, a flush of the keys), so a retry cannot tell whether the
-- earlier attempt was applied and then lost, or flushed to the database before the loss.
local epoch = redis.call('GET', KEYS[4])
if ARGV[3] ~= '' and epoch ~= ARGV[3] then
  return {-1, epoch or ''}
end
if not epoch then
  epoch = ARGV[4]
  redis.call('SET', KEYS[4], epoch)
end
local seq = tonumber(ARGV[1])
local last = tonumber(redis.call('GET', KEYS[3]) or '0')
if seq <= last then
  redis.call('PEXPIRE', KEYS[3], ARGV[2])
  return {0, epoch}
end
redis.call('SET', KEYS[3], ARGV[1], 'PX', ARGV[2])
for i = 5, #ARGV, 2 do
  redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1])
end
if redis.call('EXISTS', KEYS[2]) == 0 then
  local now = redis.call('TIME')
  redis.call('SET', KEYS[2], now[1] * 1000 + math.floor(now[2] / 1000))
end
return {1, epoch}
