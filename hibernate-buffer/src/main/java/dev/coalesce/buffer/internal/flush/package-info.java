/**
 * Flush: applies claimed deltas to the database exactly once (ledger row first, one UPDATE per row,
 * JDBC-batched) and keeps the second-level cache from showing old counters.
 *
 * <p>Internal to hibernate-buffer: not API, may change in any release. The API is {@link
 * dev.coalesce.buffer}.
 */
package dev.coalesce.buffer.internal.flush;
