/**
 * The meters of the Coalesce modules behind a small SPI ({@link
 * dev.coalesce.redis.internal.metrics.Meters}): Micrometer when it is on the class path and a
 * registry is given or global, else nothing at all. Exported only to the Coalesce modules.
 */
package dev.coalesce.redis.internal.metrics;
