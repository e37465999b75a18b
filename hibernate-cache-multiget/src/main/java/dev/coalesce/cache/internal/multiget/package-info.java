/**
 * Multi-get: the persisters whose multi-id loaders read every id in one multi-get before
 * Hibernate's per-id loop, the batch loaders and listener that do the same for batch fetching, and
 * their registration with Hibernate. Types here are public only because Hibernate creates them
 * reflectively or through a service file.
 *
 * <p>Internal to hibernate-cache-multiget: not API, may change in any release. The API is {@link
 * dev.coalesce.cache}.
 */
package dev.coalesce.cache.internal.multiget;
