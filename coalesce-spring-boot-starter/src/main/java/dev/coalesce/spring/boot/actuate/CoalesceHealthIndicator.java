package dev.coalesce.spring.boot.actuate;

import dev.coalesce.buffer.BufferStats;
import dev.coalesce.buffer.CounterBuffer;
import java.sql.Timestamp;
import java.time.Duration;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * The health {@code coalesce}: DOWN when the buffer's store (Redis, with the {@code redis} store)
 * does not answer, when the oldest pending delta is older than {@code
 * coalesce.health.max-pending-age}, or when a flush set rows aside in {@value
 * CounterBuffer#SET_ASIDE_TABLE} since the previous check (the first check compares with the rows
 * there when the application started). A failed check (the database does not answer) is DOWN too.
 */
final class CoalesceHealthIndicator extends AbstractHealthIndicator {

  private final CounterBuffer buffer;
  private final SetAsideRows setAside;
  private final Duration maxPendingAge;
  private Timestamp newestSeen;

  CoalesceHealthIndicator(CounterBuffer buffer, SetAsideRows setAside, Duration maxPendingAge) {
    super("Coalesce health check failed");
    this.buffer = buffer;
    this.setAside = setAside;
    this.maxPendingAge = maxPendingAge;
    // rows set aside before the application started were there before; only new ones count
    this.newestSeen = setAside.count(null).newest();
  }

  @Override
  protected synchronized void doHealthCheck(Health.Builder builder) {
    BufferStats stats = buffer.stats();
    Duration pendingAge = stats.oldestPendingAge();
    SetAsideRows.Count rows = setAside.count(newestSeen);
    if (rows.newest() != null) {
      newestSeen = rows.newest();
    }

    boolean storeReachable = pendingAge != null;
    boolean tooOld = storeReachable && pendingAge.compareTo(maxPendingAge) > 0;
    if (!storeReachable || tooOld || rows.newer() > 0) {
      builder.down();
    } else {
      builder.up();
    }
    builder
        .withDetail("storeReachable", storeReachable)
        .withDetail("pendingAge", storeReachable ? pendingAge.toString() : "unknown")
        .withDetail("maxPendingAge", maxPendingAge.toString())
        .withDetail("setAsideRows", rows.total())
        .withDetail("setAsideSinceLastCheck", rows.newer())
        .withDetail("deltasQueued", stats.deltasQueued());
  }
}
