package dev.coalesce.buffer.internal.boot;

/**
 * Hooks for tests, not settings: objects put in the properties map under these keys replace what
 * the buffer uses in production. Outside the {@code hibernate.coalesce.*} namespace on purpose: not
 * documented for users, not validated as their settings.
 */
public final class BufferTestHooks {

  /** A {@link java.time.Clock} for the ages of the {@code local} store (default: the system's). */
  public static final String CLOCK = "dev.coalesce.buffer.internal.test-clock";

  private BufferTestHooks() {}
}
