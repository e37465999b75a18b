package dev.coalesce.redis.internal;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Whether a dependency (Redis, the database) answers, as last seen, and the one way the Coalesce
 * modules log its outage: one WARN line when it starts (the factory, the dependency's address, the
 * first line of the cause, what is deferred and what to do; no stack trace), DEBUG for each failure
 * after it, and one INFO line when it ends, with its duration and what failed meanwhile. {@link
 * RedisOutage} adds to it the gating of Redis calls; the buffer reports database outages to one
 * directly.
 */
public final class Outage {

  private static final Logger LOG = Logger.getLogger(Outage.class);

  private final String factory;
  private final String component;
  private final String dependency;
  private final String target;
  private final String whileDown;
  private final String afterward;
  private final Supplier<String> stillDeferred;
  private final LongSupplier nanoTime;
  private boolean down;
  private long downSince;
  private long failures;

  /** Failures of this outage per thing the caller was doing, in the order first met. */
  private final Map<String, Long> failuresByWhat = new LinkedHashMap<>();

  /**
   * @param factory the SessionFactory's name ({@code CoalesceMetrics.factory()}), at the start of
   *     each line as every Coalesce WARN and ERROR line names it: {@code SessionFactory '<name>': }
   * @param component who calls the dependency ("Second-level cache", "Counter buffer")
   * @param dependency what is called, as the lines name it ("Redis", "the database")
   * @param target the dependency's address, as the lines name it
   * @param whileDown what the component does while the dependency is down
   * @param afterward what happens once it answers again
   * @param stillDeferred what still waits when it answers again, for the end line; null for none
   */
  public Outage(
      String factory,
      String component,
      String dependency,
      String target,
      String whileDown,
      String afterward,
      Supplier<String> stillDeferred,
      LongSupplier nanoTime) {
    this.factory = factory;
    this.component = component;
    this.dependency = dependency;
    this.target = target;
    this.whileDown = whileDown;
    this.afterward = afterward;
    this.stillDeferred = stillDeferred;
    this.nanoTime = nanoTime;
  }

  /** The name of the SessionFactory whose lines this logs, for its callers' own lines. */
  public String factory() {
    return factory;
  }

  public synchronized boolean isDown() {
    return down;
  }

  /** How long the dependency has been unreachable, or null while it answers. */
  public synchronized Duration downFor() {
    return down ? Duration.ofNanos(nanoTime.getAsLong() - downSince) : null;
  }

  /** Calls that failed since the outage started (0 while the dependency answers). */
  public synchronized long failedCalls() {
    return failures;
  }

  /**
   * A call failed because the dependency is unreachable: the outage's first failure is logged at
   * WARN, the others at DEBUG.
   *
   * @param what what the caller was doing ("flushing counters"); the end line counts each
   * @return whether this failure started the outage
   */
  public boolean failed(String what, Throwable e) {
    return failed(
        what,
        e,
        "is unreachable",
        "Check that "
            + dependency
            + " runs and is reachable from here; its return is logged once.");
  }

  /**
   * As {@link #failed(String, Throwable)}, for a failure that is not the dependency being
   * unreachable but stops it all the same (Redis without the Lua scripts of Coalesce).
   *
   * @param state what happened to the dependency, as the WARN line says it ("is unreachable")
   * @param advice what to do, the WARN line's last sentence
   */
  public synchronized boolean failed(String what, Throwable e, String state, String advice) {
    failures++;
    failuresByWhat.merge(what, 1L, Long::sum);
    if (down) {
      LOG.debugf(
          "SessionFactory '%s': %s: %s still failing while %s: %s",
          factory, component, dependency, what, e.toString());
      return false;
    }
    down = true;
    downSince = nanoTime.getAsLong();
    LOG.warnf(
        "SessionFactory '%s': %s: %s at %s %s while %s (%s: %s). %s %s",
        factory,
        component,
        dependency,
        target,
        state,
        what,
        e.getClass().getSimpleName(),
        firstLine(e),
        whileDown,
        advice);
    return true;
  }

  /**
   * A call reached the dependency: ends an outage, logged at INFO with its duration.
   *
   * @return whether this ended an outage
   */
  public synchronized boolean succeeded() {
    if (!down) {
      return false;
    }
    down = false;
    long duration = nanoTime.getAsLong() - downSince;
    StringBuilder failed = new StringBuilder();
    failuresByWhat.forEach(
        (what, count) ->
            failed.append(failed.length() == 0 ? ": " : ", ").append(count + " " + what));
    String still = stillDeferred == null ? null : stillDeferred.get();
    LOG.infof(
        "SessionFactory '%s': %s: %s at %s answers again after an outage of %d ms (%d failed"
            + " calls%s); %s%s",
        factory,
        component,
        dependency,
        target,
        duration / 1_000_000,
        failures,
        failed,
        afterward,
        still == null ? "" : "; " + still);
    failures = 0;
    failuresByWhat.clear();
    return true;
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
