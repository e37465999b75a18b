/**
 * The implementation of hibernate-cache-multiget, in one package so that its types can stay
 * package-private (as in Caffeine): only the API package {@link dev.coalesce.cache} is public.
 *
 * <p>What is here, by responsibility:
 *
 * <ul>
 *   <li><b>Regions and their storage</b>: {@code RegionStores} builds one {@code RegionStorage} per
 *       region over an {@code EntryStore} (one Redis key per entry, {@code RedisEntryStore}, or
 *       this JVM's {@code LocalEntryStore}); {@code EntryCodec} encodes entries; the READ_WRITE
 *       lock and put-from-load rules are atomic steps of {@code entry.lua} ({@code EntryScript})
 *       and of {@code Records} in the local store.
 *   <li><b>Access strategies</b>: {@code ReadWriteAccess} and its entity, collection and natural id
 *       variants, {@code NonstrictEntityAccess}, {@code ReadOnlyEntityAccess}.
 *   <li><b>Multi-get</b>: the persisters whose multi-id loaders read every id in one multi-get
 *       before Hibernate's per-id loop ({@code Multiget*EntityPersister}), the batch loaders and
 *       listeners that do the same for batch fetching and cached queries, {@code Prefetch} and
 *       {@code TransactionCache} (the entries read ahead for a transaction).
 *   <li><b>Registration with Hibernate</b>: {@code MultigetIntegrator}, {@code
 *       MultigetServiceContributor}, {@code RegionFactoryRegistration} (the short name {@code
 *       multiget}), {@code CacheKnownSettings}.
 * </ul>
 *
 * <p>The public types here are public only because something outside this package must reach them:
 * Java's {@code ServiceLoader} instantiates the service providers, Hibernate instantiates the
 * entity persisters reflectively, and the API's {@code MultigetRegionFactory} reaches the
 * implementation through {@code CacheRuntime}. {@code ApiBaselineTest} in integration-tests keeps
 * that list exact.
 *
 * <p>Internal to hibernate-cache-multiget: not API, may change in any release.
 */
package dev.coalesce.cache.internal;
