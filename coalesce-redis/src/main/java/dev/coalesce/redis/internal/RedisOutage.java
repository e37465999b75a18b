package dev.coalesce.redis.internal;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Whether Redis is reachable, as last seen. While it is not, calls are not even attempted until a
 * retry interval has passed, and then by one caller only (the probe): the others miss at once
 * instead of each waiting for the client's timeout, so an outage costs the application one timeout
 * per interval, not one per cache call. After Redis answers again, cached data is not served for a
 * grace period ({@link #mayServe()}), time for every node to resend the invalidations it could not
 * send.
 *
 * <p>The outage's state and its lines (once when it starts, once when it ends, with its duration)
 * are an {@link Outage}'s, the one outage policy of the Coalesce modules: the cache's calls and the
 * buffer's pushes and flushes report Redis's to one of these (one per module and factory), the
 * buffer its database's to a plain {@link Outage}, so every outage is logged the same way, once,
 * and none repeats a stack trace while it lasts.
 */
public final class RedisOutage {

  /** What a server without the Lua scripts of Coalesce is, as the outage's WARN line says. */
  private static final String LOST_SCRIPTS =
      "had lost the Lua scripts of Coalesce (Redis keeps them neither on disk nor on replicas:"
          + " it restarted, a failover promoted a replica, or SCRIPT FLUSH ran; Coalesce loads"
          + " them again on every master)";

  private final Outage outage;
  private final LongSupplier nanoTime;
  private final long retryNanos;
  private final long graceNanos;
  private boolean recovering;
  private long retryAt;
  private long recoveredAt;

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
    this.outage =
        new Outage(factory, component, "Redis", target, whileDown, afterward, null, nanoTime);
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
    if (!outage.isDown()) {
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
    if (outage.isDown()) {
      return false;
    }
    if (recovering && nanoTime.getAsLong() - recoveredAt >= graceNanos) {
      recovering = false;
    }
    return !recovering;
  }

  /** The name of the SessionFactory whose lines this logs, for its callers' own lines. */
  public String factory() {
    return outage.factory();
  }

  public boolean isDown() {
    return outage.isDown();
  }

  /** How long Redis has been unreachable, or null while it answers. */
  public Duration downFor() {
    return outage.downFor();
  }

  /** Calls that failed since the outage started (0 while Redis answers). */
  public long failedCalls() {
    return outage.failedCalls();
  }

  /**
   * A call to Redis failed: starts or continues the outage. A server without the Lua scripts of
   * Coalesce ({@code NOSCRIPT}) answers, but stops every pipeline all the same; the caller has
   * loaded them again ({@link LuaScript#loadAfterNoScript}), and the line says so.
   */
  public synchronized void failed(String what, RuntimeException e) {
    if (LuaScript.isNoScript(e)) {
      outage.failed(
          what, e, LOST_SCRIPTS, "Nothing to do unless this repeats; its end is logged once.");
    } else {
      outage.failed(what, e);
    }
    retryAt = nanoTime.getAsLong() + retryNanos;
  }

  public synchronized void succeeded() {
    if (outage.succeeded()) {
      recovering = true;
      recoveredAt = nanoTime.getAsLong();
    }
  }

  /** {@link Outage#firstLine}, for the callers that name this class. */
  public static String firstLine(Throwable e) {
    return Outage.firstLine(e);
  }
}
