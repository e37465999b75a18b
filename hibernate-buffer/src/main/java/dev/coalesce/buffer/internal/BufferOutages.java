package dev.coalesce.buffer.internal;

import dev.coalesce.redis.internal.Credentials;
import dev.coalesce.redis.internal.Outage;
import dev.coalesce.redis.internal.RedisConnection;
import dev.coalesce.redis.internal.RedisOutage;
import dev.coalesce.redis.internal.Timing;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.hibernate.engine.spi.SessionFactoryImplementor;

/**
 * The two outages a buffer reports to, one per dependency, each logged once when it starts and once
 * when it ends ({@link Outage}): the store's and the database's, with what the buffer does while
 * each is down.
 */
final class BufferOutages {

  private BufferOutages() {}

  /**
   * The buffer's view of the store's reachability (shared by pushes and flushes): an outage of the
   * {@code redis} store is logged once when it starts and once when it ends, never per push or per
   * flush.
   */
  static RedisOutage store(
      SessionFactoryImplementor factory,
      String factoryName,
      BufferConfig config,
      boolean shared,
      Timing timing) {
    String target =
        shared
            ? factory.getServiceRegistry().requireService(RedisConnection.class).describe()
            : "the local store";
    return new RedisOutage(
        factoryName,
        "Counter buffer",
        target,
        "Committed deltas wait in memory (at most "
            + config.maxQueuedDeltas()
            + ") and are pushed again until it answers; what provably never reached it goes to"
            + " the database; flushes are retried every "
            + config.flushInterval()
            + ".",
        "deltas that waited in memory are pushed and flushes resume",
        timing::nanoTime,
        0,
        0);
  }

  /**
   * The buffer's view of the database's reachability (shared by flushes and the pusher's direct
   * applies): an outage is logged once when it starts and once when it ends, never per flush, per
   * partition or per retry. Failures of a statement or a row are not an outage: they are logged
   * each time, as they are the partition's or the row's own.
   */
  static Outage database(
      SessionFactoryImplementor factory,
      String factoryName,
      BufferConfig config,
      boolean shared,
      LongSupplier queuedDeltas,
      Timing timing) {
    String waiting =
        shared
            ? "Counter deltas wait in the redis store, where nothing of them is lost,"
            : "Counter deltas wait in the local store, in this JVM's memory (lost if it stops"
                + " first),";
    return new Outage(
        factoryName,
        "Counter buffer",
        "the database",
        databaseTarget(factory.getProperties()),
        waiting
            + " and flushes are retried every "
            + config.flushInterval()
            + "; deltas that never reached the store wait in memory and their apply is retried.",
        "flushes resume and apply what waited",
        () -> "committed deltas still waiting in memory: " + queuedDeltas.getAsLong(),
        timing::nanoTime);
  }

  /**
   * The database's JDBC URL as the outage lines name it, its password masked; the DataSource when
   * there is no URL.
   */
  static String databaseTarget(Map<String, Object> settings) {
    for (String key :
        List.of(
            "jakarta.persistence.jdbc.url",
            "hibernate.connection.url",
            "javax.persistence.jdbc.url")) {
      Object url = settings.get(key);
      if (url != null) {
        return Credentials.masked(url.toString());
      }
    }
    return "its DataSource";
  }
}
