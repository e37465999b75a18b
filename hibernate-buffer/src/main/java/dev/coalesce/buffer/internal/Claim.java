package dev.coalesce.buffer.internal;

import java.util.Map;

/**
 * Deltas of one partition moved from live to in-flight, stamped with a sequence number that is
 * higher than every one the database ledger holds for the partition. The claim stays in flight, and
 * is handed out again by the next claim, until it is acknowledged with its sequence number.
 */
record Claim(int partition, long seq, Map<CounterKey, Long> deltas) {}
