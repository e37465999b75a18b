package dev.coalesce.cache.internal.region;

import java.time.Duration;
import java.util.function.LongSupplier;
import org.jboss.logging.Logger;

/**
 * Whether Redis is reachable, as last seen. While it is not, calls are not even attempted until a
 * retry interval has passed, and then by one caller only (the probe): the others miss at once
 * instead of each waiting for the client's timeout, so an outage costs the application one timeout
 * per interval, not one per cache call. After Redis answers again, cached data is not served for a
 * grace period ({@link #mayServe()}), time for every node to resend the invalidations it could not
 * send. The outage is logged once when it starts and once when it ends.
 */
final class Outage {

  private static final Logger LOG = Logger.getLogger(Outage.class);

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
   * @param retryNanos how long after a failure Redis is tried again (by one caller)
   * @param graceNanos how long after Redis answers again cached data is not served
   */
  Outage(String target, LongSupplier nanoTime, long retryNanos, long graceNanos) {
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
  synchronized boolean mayTry() {
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
  synchronized boolean mayServe() {
    if (down) {
      return false;
    }
    if (recovering && nanoTime.getAsLong() - recoveredAt >= graceNanos) {
      recovering = false;
    }
    return !recovering;
  }

  synchronized boolean isDown() {
    return down;
  }

  /** How long Redis has been unreachable, or null while it answers. */
  synchronized Duration downFor() {
    return down ? Duration.ofNanos(nanoTime.getAsLong() - downSince) : null;
  }

  /** Calls that failed since the outage started (0 while Redis answers). */
  synchronized long failedCalls() {
    return failures;
  }

  synchronized void failed(String what, RuntimeException e) {
    failures++;
    if (!down) {
      down = true;
      downSince = nanoTime.getAsLong();
      LOG.warnf(
          "Second-level cache: Redis at %s is unreachable (%s: %s while %s). Cache reads miss"
              + " and go to the database, writes are skipped, invalidations are kept and resent"
              + " before cached reads resume. Check that Redis runs and is reachable from here;"
              + " its return is logged once.",
          target, e.getClass().getSimpleName(), e.getMessage(), what);
    } else {
      LOG.debugf("Second-level cache: Redis still unreachable while %s: %s", what, e.toString());
    }
    retryAt = nanoTime.getAsLong() + retryNanos;
  }

  synchronized void succeeded() {
    if (down) {
      down = false;
      recovering = true;
      recoveredAt = nanoTime.getAsLong();
      LOG.infof(
          "Second-level cache: Redis at %s answers again after an outage of %d ms (%d failed"
              + " calls; reads in it went to the database); invalidations kept meanwhile are resent"
              + " and cached reads resume in %d ms",
          target, (recoveredAt - downSince) / 1_000_000, failures, graceNanos / 1_000_000);
      failures = 0;
    }
  }
}
