package dev.coalesce.buffer.internal;

import java.util.Map;

/**
 * What the store did with a {@link Push}.
 *
 * @param partitionsAlreadyApplied partitions that had applied this push before: an earlier attempt
 *     reached the store although its reply did not reach us
 * @param lost deltas of a retried push that the store refused because their partition lost its data
 *     since the push was first sent: applying them could count them twice, dropping them may lose
 *     them; empty in every other case
 */
record PushReply(int partitionsAlreadyApplied, Map<CounterKey, Long> lost) {

  /** A push applied everywhere for the first time. */
  public static final PushReply APPLIED = new PushReply(0, Map.of());

  public PushReply {
    lost = Map.copyOf(lost);
  }
}
