-- The epoch of one partition: a random id set when the partition's keys are first used. A new
-- epoch means Redis lost the partition's data (a restart without persistence, keys flushed or
-- evicted): pushes in doubt from before cannot be settled by asking, and are never applied twice.
-- KEYS[1] the partition's epoch; ARGV[1] the epoch to set if there is none. Returns the epoch.
if redis.call('SET', KEYS[1], ARGV[1], 'NX') then
  return ARGV[1]
end
return redis.call('GET', KEYS[1])
