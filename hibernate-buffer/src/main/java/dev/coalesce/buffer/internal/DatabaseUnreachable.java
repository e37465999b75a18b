package dev.coalesce.buffer.internal;

import dev.coalesce.buffer.PartitionsFailedException;
import dev.coalesce.redis.internal.Outage;
import java.sql.SQLException;

/**
 * Tells a database outage (no connection: refused, lost, or the pool could not open one) from a
 * failure of a statement or a row (a constraint, an overflow, a lock or statement timeout, a
 * deadlock, one terminated backend): an outage is logged once by the buffer's database {@code
 * Outage}, the others each time, since each is a problem of its own partition or row.
 *
 * <p>The test is the SQLState class 08 (connection exception) that JDBC drivers give a connection
 * they cannot open or have lost, and 57P03 (PostgreSQL: cannot connect now, the server is starting
 * or stopping). A connection pool's timeout counts only with such a failure underneath: without
 * one, the pool is exhausted, not the database gone.
 */
final class DatabaseUnreachable {

  private DatabaseUnreachable() {}

  /**
   * Whether {@code e} is the database being unreachable; for a flush whose partitions failed,
   * whether each partition's failure is.
   */
  static boolean causedBy(Throwable e) {
    if (e instanceof PartitionsFailedException failed) {
      boolean all = find(failed.getCause()) != null;
      for (Throwable other : failed.getSuppressed()) {
        all &= find(other) != null;
      }
      return all;
    }
    return find(e) != null;
  }

  /**
   * If {@code e} is the database being unreachable, counts it in the database's outage (which logs
   * the outage once) and returns true; otherwise does nothing and returns false, and the caller
   * logs {@code e} as the failure of its own that it is.
   *
   * @param what what the caller was doing, as the outage's lines name it
   */
  static boolean reportTo(Outage database, String what, Throwable e) {
    Throwable unreachable = find(e);
    if (unreachable == null) {
      return false;
    }
    database.failed(what, unreachable);
    return true;
  }

  /**
   * The exception that says the database is unreachable (the driver's, the most telling line for a
   * log), in {@code e}'s causes or, for a flush whose partitions failed, in any partition's; null
   * when none does.
   */
  private static Throwable find(Throwable e) {
    if (e instanceof PartitionsFailedException failed) {
      Throwable found = find(failed.getCause());
      for (Throwable other : failed.getSuppressed()) {
        if (found == null) {
          found = find(other);
        }
      }
      return found;
    }
    Throwable found = null;
    for (Throwable t = e; t != null && t != t.getCause(); t = t.getCause()) {
      if (t instanceof SQLException sql) {
        // the innermost such exception: the driver's own, below a pool's or Hibernate's wrapper
        for (SQLException s = sql; s != null; s = s.getNextException()) {
          if (isConnectionState(s.getSQLState())) {
            found = s;
          }
          if (s == s.getNextException()) {
            break;
          }
        }
      }
    }
    return found;
  }

  private static boolean isConnectionState(String state) {
    return state != null && (state.startsWith("08") || state.equals("57P03"));
  }
}
