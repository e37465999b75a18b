package dev.coalesce.buffer.internal;

import java.util.Map;

/**
 * Committed deltas sent to the store as one unit. A node numbers its pushes 1, 2, 3...; the store
 * applies a push only if its number is above the last one of that node it applied, so sending a
 * push again after an ambiguous failure applies it at most once. A node therefore sends push n+1
 * only once push n is settled.
 *
 * @param node the pushing node (one SessionFactory), unique per start
 * @param seq the push's number, increasing per node
 * @param deltas summed per counter, none 0
 * @param retry whether an earlier attempt of this push may have reached the store: the store then
 *     refuses to apply it to a partition whose data was lost since ({@link PushReply#lost()})
 */
record Push(String node, long seq, Map<CounterKey, Long> deltas, boolean retry) {

  public Push {
    deltas = Map.copyOf(deltas);
  }

  /** The same push, marked as sent before. */
  public Push asRetry() {
    return retry ? this : new Push(node, seq, deltas, true);
  }
}
