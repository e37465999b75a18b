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
 * @param flushes claims this node applied (the small claims of one flush share one transaction)
 * @param rowsFailed rows whose UPDATE failed (e.g. overflow) and whose deltas were set aside in the
 *     table {@code coalesce_buffer_failed}
 * @param directFallbacks transactions whose deltas were written straight to the database, because
 *     the store was provably unreachable or the push queue was full
 * @param pushesRetried pushes sent to the store again after an ambiguous failure (a timeout, a
 *     connection broken mid-flight): retried under the same number, so applied once
 * @param pushesSettledByStore of those, pushes the store answered it had already applied
 * @param deltasQueued deltas committed and waiting in this JVM for the store now; they are lost if
 *     this JVM dies before they are pushed
 * @param queueOverflows commits that found the push queue full ({@code
 *     hibernate.coalesce.buffer.max_queued_deltas}) and went straight to the database
 * @param deltasDropped committed deltas given up, each logged at ERROR with its counters: a push
 *     still in doubt when the buffer closed or after 23 hours, or refused because Redis lost its
 *     data after it was first sent, or deltas neither the store nor the database took. Should stay
 *     0
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
    long pushesRetried,
    long pushesSettledByStore,
    long deltasQueued,
    long queueOverflows,
    long deltasDropped,
    Duration oldestPendingAge) {}
