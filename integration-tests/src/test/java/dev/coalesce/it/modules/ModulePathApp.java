package dev.coalesce.it.modules;

import dev.coalesce.buffer.CounterBuffer;
import dev.coalesce.cache.MultiGet;
import jakarta.persistence.EntityManagerFactory;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.hibernate.SessionFactory;
import org.hibernate.jpa.HibernatePersistenceConfiguration;

/**
 * An application of both modules, run by {@link ModulePathTest} in a JVM of its own, once with the
 * Coalesce jars on the module path and once on the class path. Arguments are Hibernate settings as
 * {@code key=value}. It persists 3 articles, counts 2 views on each through the entity, flushes,
 * loads them with one multi-get and again from the cache, and prints what it saw as {@code
 * key=value} lines; the test compares them. Any failure exits non-zero.
 */
public final class ModulePathApp {

  private ModulePathApp() {}

  public static void main(String[] args) {
    try {
      run(args);
    } catch (Throwable e) {
      e.printStackTrace();
      System.exit(1); // whatever threads a failed boot left behind
    }
    System.exit(0);
  }

  private static void run(String[] args) throws Exception {
    Map<String, Object> settings = new HashMap<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      settings.put(arg.substring(0, eq), arg.substring(eq + 1));
    }
    settings.put("hibernate.cache.use_second_level_cache", "true");
    settings.put("hibernate.cache.region.factory_class", "multiget");
    settings.put("hibernate.generate_statistics", "true");
    settings.put("hibernate.coalesce.buffer.flush_interval", "1h");
    List<Long> ids = List.of(1L, 2L, 3L);
    EntityManagerFactory factory =
        new HibernatePersistenceConfiguration("module-path")
            .managedClasses(ModuleArticle.class)
            .properties(settings)
            .createEntityManagerFactory();
    try {
      factory.runInTransaction(em -> ids.forEach(id -> em.persist(new ModuleArticle(id))));
      for (int round = 0; round < 2; round++) {
        factory.runInTransaction(
            em ->
                MultiGet.byIds(em, ModuleArticle.class, ids)
                    .values()
                    .forEach(article -> article.setViews(article.getViews() + 1)));
      }
      System.out.println("rowsFlushed=" + CounterBuffer.of(factory).flush());
      SessionFactory sessions = factory.unwrap(SessionFactory.class);
      factory.runInTransaction(em -> MultiGet.byIds(em, ModuleArticle.class, ids));
      sessions.getStatistics().clear();
      long views =
          factory.callInTransaction(
              em ->
                  MultiGet.byIds(em, ModuleArticle.class, ids).values().stream()
                      .mapToLong(ModuleArticle::getViews)
                      .sum());
      System.out.println("views=" + views);
      System.out.println("cacheHits=" + sessions.getStatistics().getSecondLevelCacheHitCount());
      System.out.println("sql=" + sessions.getStatistics().getPrepareStatementCount());
      Module buffer = CounterBuffer.class.getModule();
      System.out.println("bufferModule=" + (buffer.isNamed() ? buffer.getName() : "unnamed"));
      System.out.println("internalReachable=" + internalReachable());
    } finally {
      factory.close();
    }
  }

  /** Whether this (class path) code may use a public class of the buffer's internal packages. */
  private static boolean internalReachable() throws Exception {
    Class<?> internal = Class.forName("dev.coalesce.buffer.internal.BufferIntegrator");
    return ModulePathApp.class.getModule().canRead(internal.getModule())
        && internal.getModule().isExported(internal.getPackageName());
  }
}
