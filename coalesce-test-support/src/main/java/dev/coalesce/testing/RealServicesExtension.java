package dev.coalesce.testing;

import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Resolves {@link TestDatabase} (PostgreSQL), {@link TestDatabases} (the matrix) and {@link
 * TestRedis} parameters, one of each per test class. See {@link RealServices}.
 */
public final class RealServicesExtension implements ParameterResolver {

  private static final ExtensionContext.Namespace STORE =
      ExtensionContext.Namespace.create(RealServicesExtension.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == TestDatabase.class || type == TestDatabases.class || type == TestRedis.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    ExtensionContext classContext = classContext(context);
    Class<?> testClass = classContext.getRequiredTestClass();
    String isolatedName = isolatedName(testClass);
    ExtensionContext.Store store = classContext.getStore(STORE);
    try {
      if (parameter.getParameter().getType() == TestDatabase.class) {
        return store.computeIfAbsent(
            TestDatabase.class,
            key ->
                TestDatabase.create(
                    TestDatabase.Kind.POSTGRESQL,
                    ServiceEndpoints.DEFAULT,
                    testClass,
                    isolatedName),
            TestDatabase.class);
      }
      if (parameter.getParameter().getType() == TestDatabases.class) {
        return store.computeIfAbsent(
            TestDatabases.class,
            key -> new TestDatabases(ServiceEndpoints.DEFAULT, testClass, isolatedName + "_m"),
            TestDatabases.class);
      }
      return store.computeIfAbsent(
          TestRedis.class,
          key -> new TestRedis(ServiceEndpoints.DEFAULT.redis(testClass), isolatedName),
          TestRedis.class);
    } catch (ServiceUnavailableException e) {
      throw new ParameterResolutionException(e.getMessage());
    }
  }

  private static ExtensionContext classContext(ExtensionContext context) {
    ExtensionContext current = context;
    while (current.getParent().isPresent()
        && !(current.getElement().orElse(null) instanceof Class)) {
      current = current.getParent().get();
    }
    return current;
  }

  /** A schema and namespace name that says which class made it and never repeats. */
  private static String isolatedName(Class<?> testClass) {
    String simple = testClass.getSimpleName().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
    if (simple.length() > 40) {
      simple = simple.substring(0, 40);
    }
    return "t_" + simple + "_" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);
  }
}
