/**
 * Region: the storage behind every cache region, one Redis key per entry (or this JVM's {@code
 * local} store), the entry encoding, READ_WRITE lock and put-from-load as atomic Lua steps, the
 * per-transaction prefetched entries, and outage handling.
 *
 * <p>Internal to hibernate-cache-multiget: not API, may change in any release. The API is {@link
 * dev.coalesce.cache}.
 */
package dev.coalesce.cache.internal.region;
