package dev.coalesce.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Time a test moves by hand, instead of waiting for it: a wall clock, a monotonic clock and
 * single-thread schedulers whose tasks run (on their own thread, as in production) when this time
 * reaches them. {@link #advance} past a flush interval or a retry delay runs what was due then.
 *
 * <p>{@link #stopped()} time moves only when the test advances it (exact ages and intervals);
 * {@link #running()} time follows the system's and jumps when the test advances it (for code that
 * also compares it with another clock, such as Redis {@code TIME}). The Coalesce modules take it
 * through their {@code Timing} service: {@code new Timing(time.clock(), time::nanoTime,
 * time::newScheduler)}.
 */
public final class ManualTime {

  private final boolean running;
  private final Instant origin;
  private final long originNanos = System.nanoTime();
  private final AtomicLong advancedNanos = new AtomicLong();
  private final List<ManualScheduler> schedulers = new CopyOnWriteArrayList<>();
  private final Clock clock = new ManualClock();

  private ManualTime(boolean running, Instant origin) {
    this.running = running;
    this.origin = origin;
  }

  /** Time that stands still at 2026-01-01T00:00:00Z until the test advances it. */
  public static ManualTime stopped() {
    return new ManualTime(false, Instant.parse("2026-01-01T00:00:00Z"));
  }

  /** Time that runs with the system's, from now, and jumps ahead when the test advances it. */
  public static ManualTime running() {
    return new ManualTime(true, Instant.now());
  }

  /** Moves time ahead; each scheduler then runs, on its thread, what became due. */
  public void advance(Duration duration) {
    if (duration.isNegative()) {
      throw new IllegalArgumentException("time never goes back: " + duration);
    }
    advancedNanos.addAndGet(duration.toNanos());
    schedulers.forEach(ManualScheduler::timeMoved);
  }

  /**
   * {@link #advance}, then waits until every scheduler has run what was due by the new time (a
   * fixed-delay task once) and runs nothing: the test's next step sees what those tasks did.
   */
  public void advanceAndRunDue(Duration duration) {
    advance(duration);
    long now = nanoTime();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    for (ManualScheduler scheduler : schedulers) {
      try {
        if (!scheduler.awaitIdle(now, deadline)) {
          throw new AssertionError("tasks due were still running 30 s after time advanced");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while tasks due ran", e);
      }
    }
  }

  /** Nanoseconds since this time was created, as a monotonic clock. */
  public long nanoTime() {
    return (running ? System.nanoTime() - originNanos : 0) + advancedNanos.get();
  }

  /** The wall clock of this time (UTC). */
  public Clock clock() {
    return clock;
  }

  /** A scheduler with one daemon thread named {@code threadName}, on this time. */
  public ScheduledExecutorService newScheduler(String threadName) {
    ManualScheduler scheduler = new ManualScheduler(threadName, this::nanoTime, schedulers::remove);
    schedulers.add(scheduler);
    return scheduler;
  }

  private final class ManualClock extends Clock {

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return origin.plusNanos(nanoTime());
    }
  }
}
