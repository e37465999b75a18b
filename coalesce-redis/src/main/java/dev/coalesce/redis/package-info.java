/**
 * What the Coalesce modules share: the setting keys every module reads ({@link
 * dev.coalesce.redis.CoalesceSettings}) and their validation ({@link
 * dev.coalesce.redis.SettingsReader}), the one Redis connection of a SessionFactory ({@link
 * dev.coalesce.redis.RedisConnection}, a Hibernate service), key naming, Lua scripts, Redis time,
 * and the contract by which the buffer locks many cache entries at once.
 *
 * <p>Applications use only {@link dev.coalesce.redis.CoalesceSettings} and {@link
 * dev.coalesce.redis.CoalesceConfigurationException}; the rest is for the Coalesce modules and may
 * change in any release.
 */
package dev.coalesce.redis;
