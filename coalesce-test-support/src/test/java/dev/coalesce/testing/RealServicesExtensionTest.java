package dev.coalesce.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * Runs two test classes through the real extension and checks what each one got: its own schema and
 * namespace while it ran, and nothing left behind after it.
 */
@RealServices
class RealServicesExtensionTest {

  /** What the sample classes saw, in the order they ran. */
  static final List<String> schemas = new ArrayList<>();

  static final List<String> namespaces = new ArrayList<>();

  @RealServices
  static class FirstSample {
    @BeforeAll
    static void seen(TestDatabase db, TestRedis redis) {
      schemas.add(db.schema());
      namespaces.add(redis.namespace());
    }

    @Test
    void writesIntoItsOwnSchemaAndNamespace(TestDatabase db, TestRedis redis) throws SQLException {
      try (Connection connection = db.connect();
          Statement statement = connection.createStatement()) {
        statement.execute("create table note (id int primary key)");
        statement.execute("insert into note values (1)");
        try (ResultSet rows = statement.executeQuery("select current_schema()")) {
          rows.next();
          assertThat(rows.getString(1)).isEqualTo(db.schema());
        }
      }
      redis.command("SET", redis.namespace() + ":note", "1");
      assertThat(redis.keys()).containsExactly(redis.namespace() + ":note");
    }
  }

  @RealServices
  static class SecondSample {
    @Test
    void seesNothingOfTheFirst(TestDatabase db, TestRedis redis) throws SQLException {
      schemas.add(db.schema());
      namespaces.add(redis.namespace());
      try (Connection connection = db.connect();
          Statement statement = connection.createStatement();
          ResultSet rows =
              statement.executeQuery(
                  "select count(*) from information_schema.tables where table_name = 'note'"
                      + " and table_schema = current_schema()")) {
        rows.next();
        assertThat(rows.getInt(1)).isZero();
      }
      assertThat(redis.keys()).isEmpty();
    }
  }

  @Test
  void eachClassGetsItsOwnSchemaAndNamespaceRemovedAfterIt(TestDatabase db, TestRedis redis)
      throws SQLException {
    schemas.clear();
    namespaces.clear();
    EngineTestKit.engine("junit-jupiter")
        .selectors(selectClass(FirstSample.class), selectClass(SecondSample.class))
        .execute()
        .testEvents()
        .assertStatistics(stats -> stats.started(2).succeeded(2));

    assertThat(schemas).hasSize(2).doesNotHaveDuplicates();
    assertThat(namespaces).hasSize(2).doesNotHaveDuplicates();
    try (Connection connection = db.connect();
        Statement statement = connection.createStatement();
        ResultSet rows =
            statement.executeQuery(
                "select count(*) from pg_namespace where nspname in ('"
                    + String.join("','", schemas)
                    + "')")) {
      rows.next();
      assertThat(rows.getInt(1)).as("schemas left behind").isZero();
    }
    try (Resp resp = redis.connect()) {
      for (String namespace : namespaces) {
        assertThat(resp.scan(namespace + ":*")).as("keys left in " + namespace).isEmpty();
      }
    }
  }
}
