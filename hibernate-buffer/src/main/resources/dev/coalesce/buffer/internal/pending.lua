-- What one partition holds for one counter.
-- KEYS[1] live hash, KEYS[2] in-flight hash; ARGV[1] field.
-- Returns {live delta, in-flight delta, in-flight sequence number}, 0 for what is absent.
local live = redis.call('HGET', KEYS[1], ARGV[1])
local inflight = redis.call('HGET', KEYS[2], ARGV[1])
local seq = false
if inflight then
  seq = redis.call('HGET', KEYS[2], 'seq')
end
return {tonumber(live or '0'), tonumber(inflight or '0'), tonumber(seq or '0')}
