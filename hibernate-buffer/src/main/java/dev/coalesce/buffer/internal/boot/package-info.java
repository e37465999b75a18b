/**
 * Boot: reads and validates the settings, registers the buffer with each SessionFactory, and runs
 * it (push after commit, background flusher, final flush at close).
 *
 * <p>Internal to hibernate-buffer: not API, may change in any release. The API is {@link
 * dev.coalesce.buffer}.
 */
package dev.coalesce.buffer.internal.boot;
