package dev.coalesce.buffer.internal;

/**
 * One delta that could not be applied, as recorded in {@value Ledger#FAILED_TABLE}.
 *
 * @param seq the sequence number of the claim it came with; null when it was applied straight to
 *     the database (the store was unreachable)
 * @param error why: the database's error for a failed UPDATE, or that the counter is not mapped
 */
record SetAsideDelta(int partition, Long seq, CounterKey key, long delta, String error) {}
