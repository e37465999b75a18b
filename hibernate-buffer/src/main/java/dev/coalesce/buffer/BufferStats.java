package dev.coalesce.buffer;

import java.time.Duration;

/**
 * A snapshot of what one {@link CounterBuffer} did since its SessionFactory started. Counts are of
 * this JVM; {@link #oldestPendingAge()} is of the whole store (every node, for {@code redis}).
 *
 * @param incrementsAccepted counter changes captured at flush time or passed to {@link
 *     CounterBuffer#increment}, whose transaction committed
 * @param deltasPushed (row, attribute) deltas sent to the store after commit; several increments of
 *     one transaction to the same counter are one delta
 * @param rowsFlushed rows updated in the database by this node's flushes
 * @param flushes flush transactions this node committed
 * @param rowsFailed rows whose UPDATE failed (e.g. overflow) and whose deltas were set aside in the
 *     table {@code coalesce_buffer_failed}
 * @param directFallbacks transactions whose deltas were written straight to the database because
 *     the store was provably unreachable
 * @param oldestPendingAge age of the oldest delta not yet in the database, {@link Duration#ZERO}
 *     when nothing is pending, null when the store cannot be reached
 */
public record BufferStats(
    long incrementsAccepted,
    long deltasPushed,
    long rowsFlushed,
    long flushes,
    long rowsFailed,
    long directFallbacks,
    Duration oldestPendingAge) {}
