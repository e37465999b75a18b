/**
 * The settings every Coalesce module reads ({@link dev.coalesce.redis.CoalesceSettings}: the Redis
 * connection, the key namespace, the metrics registry) and the exception a bad one raises at boot
 * ({@link dev.coalesce.redis.CoalesceConfigurationException}). This is all an application uses; the
 * rest of this module is in {@code dev.coalesce.redis.internal}, exported only to the Coalesce
 * modules, and may change in any release.
 */
package dev.coalesce.redis;
