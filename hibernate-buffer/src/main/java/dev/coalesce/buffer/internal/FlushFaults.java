package dev.coalesce.buffer.internal;

/**
 * Test-only fault points of the {@link Flusher}: tests in this package set one on a flusher ({@link
 * Flusher#faults}) to throw or block at a step of the flush protocol. Production code never sets
 * one, so every point is a no-op there.
 */
interface FlushFaults {

  /** No faults: what every flusher runs with unless a test of this package sets another. */
  FlushFaults NONE = new FlushFaults() {};

  /** At the start of every flush, before any lease or claim. */
  default void beforeFlush() {}

  /** A claim was taken (or recovered) from the store; nothing of it is in the database yet. */
  default void afterClaim(Claim claim) {}

  /** The claim's rows are updated in the flush transaction, which is not committed yet. */
  default void afterRowUpdates(Claim claim) {}

  /** The flush transaction of the claim committed; the store still holds it in flight (no ack). */
  default void afterCommit(Claim claim) {}

  /** This flush is done with {@code partition} (drained, failed, or its lease was lost). */
  default void partitionDone(int partition) {}
}
