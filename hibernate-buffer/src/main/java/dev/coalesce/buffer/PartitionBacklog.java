package dev.coalesce.buffer;

import java.time.Duration;

/**
 * What one partition of the store holds now, not yet in the database (see {@link
 * CounterBuffer#backlog()}).
 *
 * @param partition the partition's number, from 0
 * @param liveDeltas counters with a delta waiting for a flush (one per entity, attribute and id)
 * @param inFlightDeltas counters of the claim a flush has taken and not yet acknowledged (0 when
 *     none): applied, or recovered by the next flush
 * @param oldestAge age of the oldest of those deltas, {@link Duration#ZERO} when there are none
 */
public record PartitionBacklog(
    int partition, long liveDeltas, long inFlightDeltas, Duration oldestAge) {}
