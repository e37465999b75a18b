package dev.coalesce.testing;

/** A service a test needs cannot be reached; the message says how to provide it. */
final class ServiceUnavailableException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  ServiceUnavailableException(String message) {
    super(message);
  }
}
