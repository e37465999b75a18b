package dev.coalesce.buffer.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.hibernate.Transaction;
import org.hibernate.dialect.MySQLDialect;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.engine.spi.SharedSessionContractImplementor;

/**
 * The flusher's database transactions, each in a session of its own: a flush transaction, with the
 * second-level cache entries of its rows locked around it, and short ones for leases and the
 * ledger's values. A rollback that fails after an error (a lost connection) is added to that error
 * instead of hiding it.
 */
final class FlushTransactions {

  /** Work in a flush transaction; null means nothing to commit. */
  @FunctionalInterface
  interface FlushWork {
    Long run(Connection connection, SharedSessionContractImplementor session) throws SQLException;
  }

  /** Work in a short transaction. */
  @FunctionalInterface
  interface SqlWork<T> {
    T run(Connection connection) throws SQLException;
  }

  private final SessionFactoryImplementor factory;
  private final CacheEviction eviction;
  private final boolean mysqlFamily;

  FlushTransactions(SessionFactoryImplementor factory) {
    this.factory = factory;
    this.eviction = new CacheEviction(factory);
    this.mysqlFamily = factory.getJdbcServices().getDialect() instanceof MySQLDialect;
  }

  /**
   * Runs {@code work} in a new transaction, the rows' second-level cache entries locked around it;
   * commits unless the work returns null (then rolls back).
   */
  Long flush(List<RowUpdate> updates, FlushWork work) {
    try (var session = factory.openSession()) {
      var tx = session.beginTransaction();
      var locks = eviction.lock(session, updates);
      boolean committed = false;
      try {
        Long rows =
            session.doReturningWork(
                connection -> {
                  String laxMode = mysqlFamily ? StrictSqlMode.enforce(connection) : null;
                  Long result;
                  try {
                    result = work.run(connection, session);
                  } catch (SQLException | RuntimeException e) {
                    try {
                      StrictSqlMode.restore(connection, laxMode);
                    } catch (SQLException restoreError) {
                      e.addSuppressed(restoreError);
                    }
                    throw e;
                  }
                  StrictSqlMode.restore(connection, laxMode);
                  return result;
                });
        if (rows != null) {
          tx.commit();
          committed = true;
        } else {
          tx.rollback();
        }
        return rows;
      } catch (RuntimeException | Error e) {
        rollbackAfter(tx, e);
        throw e;
      } finally {
        eviction.release(session, locks, committed);
      }
    }
  }

  /** Runs {@code work} in a short transaction of its own and commits. */
  <T> T shortly(SqlWork<T> work) {
    try (var session = factory.openSession()) {
      var tx = session.beginTransaction();
      try {
        T result = session.doReturningWork(work::run);
        tx.commit();
        return result;
      } catch (RuntimeException | Error e) {
        rollbackAfter(tx, e);
        throw e;
      }
    }
  }

  private static void rollbackAfter(Transaction tx, Throwable cause) {
    try {
      if (tx.isActive()) {
        tx.rollback();
      }
    } catch (RuntimeException rollbackError) {
      cause.addSuppressed(rollbackError);
    }
  }
}
