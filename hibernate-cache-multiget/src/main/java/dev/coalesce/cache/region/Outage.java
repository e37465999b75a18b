package dev.coalesce.cache.region;

import java.util.function.LongSupplier;
import org.jboss.logging.Logger;

/**
 * Whether Redis is reachable, as last seen. While it is not, calls are not even attempted until a
 * retry interval has passed (so an outage costs the application one timeout per interval, not one
 * per cache call), and the outage is logged once when it starts and once when it ends.
 */
final class Outage {

  private static final Logger LOG = Logger.getLogger(Outage.class);

  private final LongSupplier nanoTime;
  private final long retryNanos;
  private final String target;
  private boolean down;
  private long retryAt;
  private long failures;

  Outage(String target, LongSupplier nanoTime, long retryNanos) {
    this.target = target;
    this.nanoTime = nanoTime;
    this.retryNanos = retryNanos;
  }

  synchronized boolean mayTry() {
    return !down || nanoTime.getAsLong() - retryAt >= 0;
  }

  synchronized boolean isDown() {
    return down;
  }

  synchronized void failed(String what, RuntimeException e) {
    failures++;
    if (!down) {
      down = true;
      LOG.warnf(
          "Second-level cache: Redis at %s is unreachable (%s: %s while %s). Cache reads miss"
              + " and go to the database, writes are skipped, invalidations are kept and resent"
              + " before cached reads resume.",
          target, e.getClass().getSimpleName(), e.getMessage(), what);
    } else {
      LOG.debugf("Second-level cache: Redis still unreachable while %s: %s", what, e.toString());
    }
    retryAt = nanoTime.getAsLong() + retryNanos;
  }

  synchronized void succeeded() {
    if (down) {
      down = false;
      LOG.infof(
          "Second-level cache: Redis at %s answers again after %d failed calls", target, failures);
      failures = 0;
    }
  }
}
