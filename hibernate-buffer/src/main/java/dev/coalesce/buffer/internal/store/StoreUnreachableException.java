package dev.coalesce.buffer.internal.store;

/** The store could not be reached and provably received nothing of a push. */
public final class StoreUnreachableException extends RuntimeException {

  public StoreUnreachableException(String message, Throwable cause) {
    super(message, cause);
  }

  /** Whether {@code e} or one of its causes is the store not answering (Redis's, or ours). */
  public static boolean causedBy(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof StoreUnreachableException
          || t instanceof org.redisson.client.RedisException) {
        return true;
      }
    }
    return false;
  }
}
