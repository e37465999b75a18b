package dev.coalesce.buffer.internal;

import dev.coalesce.buffer.BufferSettings;
import dev.coalesce.buffer.BufferStats;
import dev.coalesce.buffer.CounterBuffer;
import dev.coalesce.buffer.PartitionBacklog;
import dev.coalesce.buffer.PartitionsFailedException;
import dev.coalesce.redis.internal.Outage;
import dev.coalesce.redis.internal.RedisConnection;
import dev.coalesce.redis.internal.RedisOutage;
import dev.coalesce.redis.internal.Timing;
import dev.coalesce.redis.internal.metrics.CoalesceMetrics;
import jakarta.persistence.EntityManager;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.hibernate.SessionFactory;
import org.hibernate.SessionFactoryObserver;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.jboss.logging.Logger;

/**
 * The counter buffer of one SessionFactory: receives committed deltas from the capture listeners,
 * pushes them to the store, runs the flusher every interval and drains it when the factory closes;
 * and the application's {@link CounterBuffer}. Registered in {@link RunningBuffers}; counters named
 * by the application are checked by {@link CounterKeys}; a failed last flush is reported by {@link
 * FinalFlushLog}.
 *
 * <p>Over our usual 250 lines: the buffer's lifecycle (pusher, flusher, schedules and their bounded
 * shutdown) and the application's few {@code CounterBuffer} calls, which need that lifecycle's
 * state; the checks of an application's counter ({@link CounterKeys}), the outages ({@link
 * BufferOutages}) and the final-flush report are classes of their own.
 */
final class BufferRuntime implements CounterBuffer, SessionFactoryObserver {

  private static final Logger LOG = Logger.getLogger(BufferRuntime.class);

  /** The background flush, as {@link RepeatedFailures} names it. */
  private static final String BACKGROUND_FLUSH = "background flush";

  static final String REPEATS =
      "The same failure again is logged at DEBUG, and the first success after it at INFO";

  private final transient SessionFactoryImplementor factory;
  private final transient Map<String, Set<String>> declarations;
  private final transient BufferConfig config;
  private final transient DeltaStore store;
  private final transient StatsRecorder stats;
  private final transient TransactionDeltas deltas;
  private final transient RepeatedFailures failures = new RepeatedFailures();
  private transient volatile CounterModel model = CounterModel.empty();
  private transient volatile Flusher flusher;
  private transient volatile Pusher pusher;
  private transient ScheduledExecutorService scheduler;
  private transient RedisOutage outage;
  private transient Outage databaseOutage;

  BufferRuntime(
      SessionFactoryImplementor factory,
      Map<String, Set<String>> declarations,
      BufferConfig config,
      DeltaStore store,
      StatsRecorder stats) {
    this.factory = factory;
    this.stats = stats;
    this.declarations = declarations;
    this.config = config;
    this.store = store;
    this.deltas = new TransactionDeltas(this::committed);
  }

  CounterModel model() {
    return model;
  }

  TransactionDeltas deltas() {
    return deltas;
  }

  @Override
  public void sessionFactoryCreated(SessionFactory created) {
    model = CounterModel.build(factory.getMappingMetamodel(), declarations);
    if (!model.isEmpty()) {
      Timing timing = factory.getServiceRegistry().requireService(Timing.class);
      outage = BufferOutages.store(factory, factoryName(), config, store.shared(), timing);
      databaseOutage =
          BufferOutages.database(
              factory,
              factoryName(),
              config,
              store.shared(),
              () -> {
                Pusher current = pusher;
                return current == null ? 0 : current.queuedDeltas();
              },
              timing);
      flusher =
          Flusher.start(
              factory,
              model,
              store,
              config.maxRowsPerFlush(),
              stats,
              timing.clock(),
              timing::nanoTime,
              config.flushThreads(),
              databaseOutage);
      pusher =
          new Pusher(
              factoryName(),
              store,
              flusher::applyDirect,
              stats,
              config.pushTimeout(),
              config.maxQueuedDeltas(),
              timing.newScheduler("coalesce-buffer-pusher"),
              timing.newScheduler("coalesce-buffer-direct"),
              timing::nanoTime,
              outage,
              databaseOutage);
      scheduler = timing.newScheduler("coalesce-buffer-flusher");
      // nanoseconds: a positive interval below 1 ms (PT0.0001S) must not become 0, which the
      // scheduler refuses
      long interval = config.flushInterval().toNanos();
      scheduler.scheduleWithFixedDelay(
          this::backgroundFlush, interval, interval, TimeUnit.NANOSECONDS);
      stats.bindGauges(pusher::queuedDeltas);
      if (stats.publishesMeters()) {
        // on the flusher's thread and schedule: a scrape of the meters never reaches the store
        scheduler.scheduleWithFixedDelay(this::readPendingAge, 0, interval, TimeUnit.NANOSECONDS);
      }
    }
    RunningBuffers.started(factory, this);
  }

  @Override
  public void sessionFactoryClosing(SessionFactory closing) {
    RunningBuffers.closing(factory, this);
    if (scheduler == null) {
      return;
    }
    // what committed before the close reaches the store (or the database) before the last flush
    pusher.close(config.shutdownTimeout());
    // the last flush runs on the flusher thread, after any flush in progress, bounded in time
    Future<Long> last = scheduler.submit(flusher::flushAll);
    scheduler.shutdown();
    try {
      long rows = last.get(config.shutdownTimeout().toMillis(), TimeUnit.MILLISECONDS);
      LOG.debugf("Final counter flush updated %d rows", rows);
    } catch (TimeoutException e) {
      last.cancel(true);
      LOG.warnf(
          "SessionFactory '%s': the final counter flush did not finish within %s; %s. Raise %s if"
              + " it needs longer",
          factoryName(), config.shutdownTimeout(), unflushed(), BufferSettings.SHUTDOWN_TIMEOUT);
    } catch (ExecutionException e) {
      FinalFlushLog.failed(
          e.getCause(),
          store,
          factoryName(),
          storeName(),
          () -> factory.getServiceRegistry().requireService(RedisConnection.class).keys().name());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      LOG.warnf(
          "SessionFactory '%s': interrupted while waiting for the final counter flush; %s",
          factoryName(), unflushed());
    }
    flusher.close();
    store.close();
  }

  private String factoryName() {
    return factory.getServiceRegistry().requireService(CoalesceMetrics.class).factory();
  }

  private void backgroundFlush() {
    // a scheduled task that throws is never run again: nothing may escape, not even an Error
    try {
      flusher.flushScheduled();
      outage.succeeded();
      long failed = failures.succeeded(BACKGROUND_FLUSH);
      if (failed > 0) {
        LOG.infof(
            "SessionFactory '%s': counter flushes succeed again after %d failed in a row",
            factoryName(), failed);
      }
    } catch (RuntimeException e) {
      if (StoreUnreachableException.causedBy(e)) {
        outage.failed("flushing counters", e); // logged once per outage
      } else if (DatabaseUnreachable.causedBy(e)) {
        // the flusher reported it to the database's outage, which logs it once
        LOG.debugf(e, "Counter flush failed: the database does not answer");
      } else if (!failures.isNew(BACKGROUND_FLUSH, e)) {
        LOG.debugf(e, "Counter flush failed again, as logged before");
      } else if (e instanceof PartitionsFailedException) {
        // each failed partition was logged with its cause; the others were flushed
        LOG.warnf(
            "SessionFactory '%s': %s; retrying every %s. Each failed partition is logged above with"
                + " its cause (or, if the database or the store is unreachable, in that outage's"
                + " one line). %s",
            factoryName(), e.getMessage(), config.flushInterval(), REPEATS);
      } else {
        // what was claimed stays in flight and is retried at the next interval
        LOG.warnf(
            e,
            "SessionFactory '%s': counter flush failed; what it claimed stays in flight and is"
                + " retried every %s. If this repeats, fix the cause below (often the database)."
                + " %s",
            factoryName(),
            config.flushInterval(),
            REPEATS);
      }
    } catch (Throwable e) {
      LOG.errorf(
          e,
          "SessionFactory '%s': counter flush failed with an error; retrying in %s. Fix the cause"
              + " below (for an OutOfMemoryError, more heap or a lower %s)",
          factoryName(),
          config.flushInterval(),
          BufferSettings.MAX_ROWS_PER_FLUSH);
    }
  }

  /** For the gauge coalesce.buffer.pending.age: NaN while the store does not answer. */
  private void readPendingAge() {
    Duration age;
    try {
      age = Duration.ofMillis(store.oldestPendingAgeMillis().orElse(0));
    } catch (RuntimeException e) {
      // the outage is logged once by the pusher and the flusher; here it shows in the gauges
      // (coalesce.buffer.pending.age NaN, coalesce.redis.available 0), not every interval
      LOG.debugf(e, "Cannot read the oldest pending age from the %s store", storeName());
      age = null;
    }
    stats.pendingAgeRead(age);
  }

  /** Deltas of one committed transaction. */
  private void committed(Map<CounterKey, Long> committed, long increments) {
    stats.accepted(increments);
    Pusher current = pusher;
    if (current == null) {
      // the factory has not finished starting, or has no counters: nothing can be captured yet
      throw new IllegalStateException("Counter deltas committed before the buffer started");
    }
    current.committed(committed);
  }

  @Override
  public void increment(
      EntityManager em, Class<?> entity, Object id, String attribute, long delta) {
    CounterKey key = key(entity, id, attribute);
    deltas.add(em.unwrap(SharedSessionContractImplementor.class), key, delta);
  }

  @Override
  public long pending(Class<?> entity, Object id, String attribute) {
    CounterKey key = key(entity, id, attribute);
    PendingDelta pending = store.pending(key);
    long total = pending.live();
    if (pending.inflight() != 0
        && pending.inflightSeq() > flusher.appliedSeq(key.partition(store.partitions()))) {
      total += pending.inflight();
    }
    return total;
  }

  @Override
  public long flush() {
    Flusher current = flusher;
    return current == null ? 0 : current.flushAll();
  }

  @Override
  public BufferStats stats() {
    Pusher current = pusher;
    return stats.snapshot(current == null ? 0 : current.queuedDeltas(), oldestPendingAge());
  }

  @Override
  public List<PartitionBacklog> backlog() {
    return store.backlog();
  }

  private Duration oldestPendingAge() {
    try {
      return Duration.ofMillis(store.oldestPendingAgeMillis().orElse(0));
    } catch (RuntimeException e) {
      // stats matter most during an outage: report the counts, and the age as unknown
      if (outage != null && StoreUnreachableException.causedBy(e)) {
        outage.failed("reading the oldest pending age", e);
      } else {
        LOG.warnf(
            "SessionFactory '%s': cannot read the oldest pending age from the %s store (%s);"
                + " BufferStats reports it as unknown. If this repeats, check the %s store",
            factoryName(), storeName(), RedisOutage.firstLine(e), storeName());
      }
      return null;
    }
  }

  /** Where what the final flush did not flush stays, for its warnings. */
  private String unflushed() {
    return store.shared()
        ? "what it did not flush stays in the redis store, and another node, or the next start of"
            + " this application, flushes it"
        : "what it did not flush was in the local store and is lost with this JVM; use the redis"
            + " store to keep deltas across restarts";
  }

  private String storeName() {
    return config.store().name().toLowerCase(Locale.ROOT);
  }

  private CounterKey key(Class<?> entity, Object id, String attribute) {
    return CounterKeys.of(factory, model, entity, id, attribute);
  }
}
