package dev.coalesce.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.function.Function;
import org.hibernate.Session;
import org.hibernate.SessionFactory;

/** Runs a transaction and asserts how many SQL statements it ran (Hibernate's statistics). */
final class SqlCount {

  private SqlCount() {}

  static <T> T inTransaction(SessionFactory factory, Function<Session, T> work, long expectedSql) {
    long before = factory.getStatistics().getPrepareStatementCount();
    T result = factory.fromTransaction(work);
    assertThat(factory.getStatistics().getPrepareStatementCount() - before)
        .as("SQL statements")
        .isEqualTo(expectedSql);
    return result;
  }
}
