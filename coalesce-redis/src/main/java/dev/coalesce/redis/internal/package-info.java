/**
 * What the Coalesce modules share, not for applications: setting validation ({@link
 * dev.coalesce.redis.internal.SettingsReader}, {@link dev.coalesce.redis.internal.KnownSettings}),
 * the one Redis connection of a SessionFactory ({@link
 * dev.coalesce.redis.internal.RedisConnection}, a Hibernate service), key naming, Lua script
 * loading, Redis time, replica waits, and the contract by which the buffer locks many cache entries
 * at once ({@link dev.coalesce.redis.internal.BulkCacheLocking}). Exported only to {@code
 * dev.coalesce.buffer} and {@code dev.coalesce.cache}.
 */
package dev.coalesce.redis.internal;
