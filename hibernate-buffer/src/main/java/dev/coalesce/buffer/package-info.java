/**
 * The API of hibernate-buffer: {@link dev.coalesce.buffer.BufferedCounter} on an entity attribute,
 * {@link dev.coalesce.buffer.CounterBuffer} to increment, read what is pending and flush, {@link
 * dev.coalesce.buffer.BufferStats}, and every setting in {@link
 * dev.coalesce.buffer.BufferSettings}. The subpackages are internal.
 */
package dev.coalesce.buffer;
