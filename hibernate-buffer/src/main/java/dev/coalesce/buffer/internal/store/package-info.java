/**
 * Store: where committed deltas wait, partitioned, in Redis or in this JVM, with the claim and ack
 * protocol of the flush.
 *
 * <p>Internal to hibernate-buffer: not API, may change in any release. The API is {@link
 * dev.coalesce.buffer}.
 */
package dev.coalesce.buffer.internal.store;
