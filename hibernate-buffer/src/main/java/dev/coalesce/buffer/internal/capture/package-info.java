/**
 * Capture: turns counter changes of managed entities and {@code CounterBuffer.increment} calls into
 * per-transaction deltas, handed over only after the commit.
 *
 * <p>Internal to hibernate-buffer: not API, may change in any release. The API is {@link
 * dev.coalesce.buffer}.
 */
package dev.coalesce.buffer.internal.capture;
