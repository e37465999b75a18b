/**
 * Internal: how the deltas of a committed transaction reach the store. A {@link
 * dev.coalesce.buffer.internal.push.Pusher} groups the commits of many threads into numbered
 * pushes, settles each push exactly once (retrying under the same number after an ambiguous
 * failure), never makes an application thread wait longer than {@code
 * hibernate.coalesce.buffer.push_timeout}, and applies to the database directly only what provably
 * never reached the store. Not API.
 */
package dev.coalesce.buffer.internal.push;
