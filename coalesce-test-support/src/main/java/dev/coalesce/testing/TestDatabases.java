package dev.coalesce.testing;

import java.util.EnumMap;
import java.util.Map;

/**
 * The databases of one test class, one per {@link TestDatabase.Kind}, created on first use and
 * dropped after the class: for tests that run on every database of the matrix. Declare a parameter
 * of this type next to a {@code TestDatabase.Kind} from {@code @EnumSource}:
 *
 * <pre>{@code
 * @ParameterizedTest
 * @EnumSource(TestDatabase.Kind.class)
 * void exactlyOnce(TestDatabase.Kind kind, TestDatabases databases) {
 *   TestDatabase db = databases.of(kind);
 * }
 * }</pre>
 */
public final class TestDatabases implements AutoCloseable {

  private final ServiceEndpoints endpoints;
  private final Class<?> testClass;
  private final String name;
  private final Map<TestDatabase.Kind, TestDatabase> open = new EnumMap<>(TestDatabase.Kind.class);

  TestDatabases(ServiceEndpoints endpoints, Class<?> testClass, String name) {
    this.endpoints = endpoints;
    this.testClass = testClass;
    this.name = name;
  }

  /** This class's database of {@code kind}; a missing server fails with a message naming it. */
  public synchronized TestDatabase of(TestDatabase.Kind kind) {
    return open.computeIfAbsent(kind, k -> TestDatabase.create(k, endpoints, testClass, name));
  }

  @Override
  public synchronized void close() {
    open.values().forEach(TestDatabase::close);
    open.clear();
  }
}
