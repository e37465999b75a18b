package dev.coalesce.redis.internal;

import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.hibernate.service.Service;

/**
 * Time and the threads that wait for it, for both Coalesce modules: the wall clock, the monotonic
 * clock of timeouts and backoffs, and the single-thread schedulers (the buffer's pusher, direct
 * applier and flusher, the cache's clock sync). The modules read time and create these threads only
 * through this service, never from {@code System} or {@code Executors}, so that a test can move
 * time instead of waiting for it.
 *
 * <p>A Hibernate service: {@link RedisServiceContributor} registers {@link #system()} in every
 * registry; a test replaces it with {@code StandardServiceRegistryBuilder.addService(Timing.class,
 * new Timing(...))}. Not a setting: applications have nothing to configure here.
 */
public final class Timing implements Service {

  private static final Timing SYSTEM =
      new Timing(Clock.systemUTC(), System::nanoTime, Timing::daemonScheduler);

  private final Clock clock;
  private final LongSupplier nanoTime;
  private final Function<String, ScheduledExecutorService> schedulers;

  /**
   * @param clock the wall clock (ages, leases, cache timestamps before Redis time is known)
   * @param nanoTime a monotonic clock in nanoseconds, as {@link System#nanoTime()}
   * @param schedulers a new single-thread scheduler whose thread has the given name, a daemon; its
   *     owner shuts it down
   */
  public Timing(
      Clock clock, LongSupplier nanoTime, Function<String, ScheduledExecutorService> schedulers) {
    this.clock = clock;
    this.nanoTime = nanoTime;
    this.schedulers = schedulers;
  }

  /** The system's clocks and real threads: what every registry holds unless a test replaces it. */
  public static Timing system() {
    return SYSTEM;
  }

  /** The wall clock. */
  public Clock clock() {
    return clock;
  }

  /** The wall clock in microseconds since the epoch. */
  public long nowMicros() {
    Instant now = clock.instant();
    return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
  }

  /** The monotonic clock, in nanoseconds from an arbitrary origin. */
  public long nanoTime() {
    return nanoTime.getAsLong();
  }

  /** A new single-thread scheduler on a daemon thread named {@code threadName}. */
  public ScheduledExecutorService newScheduler(String threadName) {
    return schedulers.apply(threadName);
  }

  private static ScheduledExecutorService daemonScheduler(String threadName) {
    return Executors.newSingleThreadScheduledExecutor(DaemonThreads.named(threadName));
  }
}
