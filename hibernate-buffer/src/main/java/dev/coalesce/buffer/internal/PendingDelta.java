package dev.coalesce.buffer.internal;

/**
 * What a store holds for one counter: the live delta, and the delta of the claim in flight with its
 * sequence number ({@code inflightSeq} 0 when nothing of this counter is in flight).
 */
record PendingDelta(long live, long inflight, long inflightSeq) {}
