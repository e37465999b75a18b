-- Keeps the deltas of rows whose UPDATE failed (overflow, constraint), out of the flush path.
-- KEYS[1] the partition's failed hash; ARGV field, delta, field, delta, ...
for i = 1, #ARGV, 2 do
  redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1])
end
return 1
