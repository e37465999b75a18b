/**
 * The API of hibernate-cache-multiget: the region factory {@link
 * dev.coalesce.cache.MultigetRegionFactory} (short name {@code multiget}), {@link
 * dev.coalesce.cache.MultiGet#byIds} for code that wants a map, and every setting in {@link
 * dev.coalesce.cache.CacheSettings}. The subpackages are internal.
 */
package dev.coalesce.cache;
