package dev.coalesce.cache.internal;

/**
 * A cached entry could not be decoded (written by another format version, or its classes changed
 * between deploys). Never reaches the application: the entry is a miss and is deleted.
 */
final class UndecodableEntryException extends RuntimeException {
  UndecodableEntryException(String reason) {
    super(reason, null, false, false);
  }
}
