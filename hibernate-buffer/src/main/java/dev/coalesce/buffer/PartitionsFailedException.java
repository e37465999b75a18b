package dev.coalesce.buffer;

import java.util.BitSet;
import java.util.List;

/**
 * A flush in which one or more partitions failed (the database or the store failed for them); the
 * other partitions were flushed. What the failed partitions claimed stays in flight and the next
 * flush applies it, exactly once. The cause is the first partition's failure; the others are
 * suppressed exceptions of this one. Each was logged with its partition when it happened.
 */
public final class PartitionsFailedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final transient BitSet partitions;

  /**
   * @param partitions the partitions that failed
   * @param of how many partitions there are
   * @param failures one failure per failed partition, in partition order; not empty
   */
  public PartitionsFailedException(BitSet partitions, int of, List<RuntimeException> failures) {
    super(
        "Counter flush failed for partition(s) "
            + partitions
            + " of "
            + of
            + ": what they claimed stays in flight and the next flush applies it once; first"
            + " cause: "
            + failures.get(0),
        failures.get(0));
    this.partitions = (BitSet) partitions.clone();
    for (int i = 1; i < failures.size(); i++) {
      addSuppressed(failures.get(i));
    }
  }

  /** The partitions that failed. */
  public BitSet partitions() {
    return (BitSet) partitions.clone();
  }
}
