package dev.coalesce.cache;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.hibernate.SessionFactory;
import org.hibernate.engine.spi.SessionFactoryImplementor;

/**
 * The state of one SessionFactory's {@code multiget} cache, for operators (the Actuator endpoint
 * {@code /actuator/coalesce} shows it).
 *
 * @param store {@code redis} or {@code local}
 * @param reachable whether the store answered its last call (always true for {@code local})
 * @param servingCachedReads false during an outage and for the grace period after it, while reads
 *     go to the database
 * @param outageFor how long Redis has been unreachable, null while it answers
 * @param failedCalls calls to Redis that failed since the outage started, 0 while it answers
 * @param regions every region of the factory, by name
 */
public record CacheReport(
    String store,
    boolean reachable,
    boolean servingCachedReads,
    Duration outageFor,
    long failedCalls,
    List<Region> regions) {

  /**
   * One region.
   *
   * @param name the region's name (an entity's or collection role's unless {@code @Cache(region)}
   *     names another, the query results region, the timestamps region)
   * @param entries values a reader would get from it (not writers' locks or invalidation markers,
   *     nor what a region clear hid), or null when the store cannot be read
   */
  public record Region(String name, Long entries) {}

  /**
   * Reads the state of {@code factory}'s cache, empty when the factory does not use the {@code
   * multiget} cache; counting the entries walks the store's keyspace (a {@code SCAN} of every
   * master for Redis), so call it for reports, not for requests.
   */
  public static Optional<CacheReport> of(SessionFactory factory) {
    return factory.unwrap(SessionFactoryImplementor.class).getCache().getRegionFactory()
            instanceof MultigetRegionFactory multiget
        ? Optional.of(multiget.runtime().report())
        : Optional.empty();
  }
}
