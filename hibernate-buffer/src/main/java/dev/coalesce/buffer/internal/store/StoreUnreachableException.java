package dev.coalesce.buffer.internal.store;

/** The store could not be reached and provably received nothing of a push. */
public final class StoreUnreachableException extends RuntimeException {

  public StoreUnreachableException(String message, Throwable cause) {
    super(message, cause);
  }
}
