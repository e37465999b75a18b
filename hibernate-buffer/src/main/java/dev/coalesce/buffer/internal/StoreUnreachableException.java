package dev.coalesce.buffer.internal;

/** The store could not be reached and provably received nothing of a push. */
final class StoreUnreachableException extends RuntimeException {

  public StoreUnreachableException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * Whether {@code e} is the store not answering (Redis's exception or ours, as {@code e} or a
   * cause); for a flush whose partitions failed, whether each partition's failure is.
   */
  public static boolean causedBy(Throwable e) {
    if (e instanceof dev.coalesce.buffer.PartitionsFailedException failed) {
      boolean all = causedBy(failed.getCause());
      for (Throwable other : failed.getSuppressed()) {
        all &= causedBy(other);
      }
      return all;
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof StoreUnreachableException
          || t instanceof org.redisson.client.RedisException) {
        return true;
      }
    }
    return false;
  }
}
