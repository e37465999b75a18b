package dev.coalesce.cache;

import dev.coalesce.testing.CountingRedisProxy;
import dev.coalesce.testing.RedisServerProcess;
import java.util.List;
import org.hibernate.SessionFactory;
import org.hibernate.stat.Statistics;

/**
 * A redis-server of a test's own behind a counting proxy: what an action costs on the wire (round
 * trips, commands) and in SQL (Hibernate's statistics), printed with the cache statistics.
 */
final class Wire implements AutoCloseable {

  record Measured(
      int roundTrips, int commands, long sql, List<CountingRedisProxy.RoundTrip> trips) {}

  private final RedisServerProcess redis;
  private final CountingRedisProxy proxy;

  private Wire(RedisServerProcess redis) {
    this.redis = redis;
    this.proxy = CountingRedisProxy.start(redis.host(), redis.port());
  }

  static Wire start() {
    return new Wire(RedisServerProcess.start());
  }

  /** The proxy's address: give it to the factory under test. */
  String address() {
    return proxy.address();
  }

  /**
   * The round trips, commands and statistics of {@code action} alone: write-backs still in flight
   * from before are answered first, and those of {@code action} are counted (a load does not wait
   * for them).
   */
  Measured measure(SessionFactory factory, String row, Runnable action) {
    Statistics stats = Boot.settled(factory);
    proxy.reset();
    stats.clear();
    action.run();
    Boot.settled(factory);
    Measured measured =
        new Measured(
            proxy.roundTripCount(),
            proxy.commandCount(),
            stats.getPrepareStatementCount(),
            proxy.roundTrips());
    System.out.printf(
        "[round trips] %-58s %2d round trips, %3d commands, %d SQL; hits %d, misses %d, puts %d;"
            + " wire: %s%n",
        row,
        measured.roundTrips(),
        measured.commands(),
        measured.sql(),
        stats.getSecondLevelCacheHitCount(),
        stats.getSecondLevelCacheMissCount(),
        stats.getSecondLevelCachePutCount(),
        measured.trips());
    return measured;
  }

  @Override
  public void close() {
    proxy.close();
    redis.close();
  }
}
