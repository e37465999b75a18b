package dev.coalesce.redis.internal;

import java.time.Duration;
import java.util.function.LongSupplier;
import org.jboss.logging.Logger;

/**
 * Whether Redis is reachable, as last seen. While it is not, calls are not even attempted until a
 * retry interval has passed, and then by one caller only (the probe): the others miss at once
 * instead of each waiting for the client's timeout, so an outage costs the application one timeout
 * per interval, not one per cache call. After Redis answers again, cached data is not served for a
 * grace period ({@link #mayServe()}), time for every node to resend the invalidations it could not
 * send. The outage is logged once when it starts and once when it ends, with its duration.
 *
 * <p>The one outage policy of the Coalesce modules: the cache's calls and the buffer's pushes and
 * flushes each report to one of these (one per module and factory), so both log an outage the same
 * way, once, and neither repeats a stack trace while Redis is down.
 */
public final class RedisOutage {

  private static final Logger LOG = Logger.getLogger(RedisOutage.class);

  private final String factory;
  private final String component;
  private final String whileDown;
  private final String afterward;

  private final LongSupplier nanoTime;
  private final long retryNanos;
  private final long graceNanos;
  private final String target;
  private boolean down;
  private boolean recovering;
  private long retryAt;
  private long recoveredAt;
  private long downSince;
  private long failures;

  /**
   * @param factory the SessionFactory's name ({@code CoalesceMetrics.factory()}), at the start of
   *     each line as every Coalesce WARN and ERROR line names it: {@code SessionFactory '<name>': }
   * @param component who calls Redis ("Second-level cache")
   * @param target Redis's address, as the lines name it
   * @param whileDown what the component does while Redis is down, and what to do
   * @param afterward what happens once Redis answers again
   * @param retryNanos how long after a failure Redis is tried again (by one caller)
   * @param graceNanos how long after Redis answers again cached data is not served
   */
  public RedisOutage(
      String factory,
      String component,
      String target,
      String whileDown,
      String afterward,
      LongSupplier nanoTime,
      long retryNanos,
      long graceNanos) {
    this.factory = factory;
    this.component = component;
    this.whileDown = whileDown;
    this.afterward = afterward;
    this.target = target;
    this.nanoTime = nanoTime;
    this.retryNanos = retryNanos;
    this.graceNanos = graceNanos;
  }

  /**
   * Whether the caller may call Redis now: always while it is up; while it is down, true for the
   * first caller once the retry interval has passed (it probes; the next caller waits for another
   * interval unless the probe succeeds).
   */
  public synchronized boolean mayTry() {
    if (!down) {
      return true;
    }
    long now = nanoTime.getAsLong();
    if (now - retryAt >= 0) {
      retryAt = now + retryNanos;
      return true;
    }
    return false;
  }

  /**
   * Whether cached data may be served: Redis is up and the grace period after an outage is over.
   */
  public synchronized boolean mayServe() {
    if (down) {
      return false;
    }
    if (recovering && nanoTime.getAsLong() - recoveredAt >= graceNanos) {
      recovering = false;
    }
    return !recovering;
  }

  /** The name of the SessionFactory whose lines this logs, for its callers' own lines. */
  public String factory() {
    return factory;
  }

  public synchronized boolean isDown() {
    return down;
  }

  /** How long Redis has been unreachable, or null while it answers. */
  public synchronized Duration downFor() {
    return down ? Duration.ofNanos(nanoTime.getAsLong() - downSince) : null;
  }

  /** Calls that failed since the outage started (0 while Redis answers). */
  public synchronized long failedCalls() {
    return failures;
  }

  public synchronized void failed(String what, RuntimeException e) {
    failures++;
    if (!down) {
      down = true;
      downSince = nanoTime.getAsLong();
      LOG.warnf(
          "SessionFactory '%s': %s: Redis at %s is unreachable (%s: %s while %s). %s Check that"
              + " Redis runs and is reachable from here; its return is logged once.",
          factory, component, target, e.getClass().getSimpleName(), firstLine(e), what, whileDown);
    } else {
      LOG.debugf(
          "SessionFactory '%s': %s: Redis still unreachable while %s: %s",
          factory, component, what, e.toString());
    }
    retryAt = nanoTime.getAsLong() + retryNanos;
  }

  public synchronized void succeeded() {
    if (down) {
      down = false;
      recovering = true;
      recoveredAt = nanoTime.getAsLong();
      LOG.infof(
          "SessionFactory '%s': %s: Redis at %s answers again after an outage of %d ms (%d failed"
              + " calls); %s",
          factory, component, target, (recoveredAt - downSince) / 1_000_000, failures, afterward);
      failures = 0;
    }
  }

  /**
   * The start of an exception's message: Redisson's can hold the whole command, a Lua script
   * included, which has no place in a one-line warning.
   */
  public static String firstLine(Throwable e) {
    String message = String.valueOf(e.getMessage());
    int end = message.indexOf('\n');
    String line = end < 0 ? message : message.substring(0, end);
    return line.length() <= 200 ? line : line.substring(0, 200) + "...";
  }
}
