package dev.coalesce.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.TestDatabase;
import dev.coalesce.testing.TestRedis;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.hibernate.Session;
import org.hibernate.SessionFactory;
import org.hibernate.bytecode.enhance.spi.DefaultEnhancementContext;
import org.hibernate.bytecode.enhance.spi.Enhancer;
import org.hibernate.bytecode.internal.bytebuddy.BytecodeProviderImpl;
import org.hibernate.engine.spi.PersistentAttributeInterceptable;
import org.hibernate.engine.spi.SelfDirtinessTracker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A bytecode-enhanced entity (inline dirty tracking, a lazy attribute) in the multi-get cache, on
 * Redis: cached reads cost no SQL, an update found by the enhanced dirty tracking is seen by the
 * next read, and the lazy attribute reads right. {@link Essay} is enhanced here with Hibernate's
 * own enhancer and defined by a class loader of this test's, as the build-time plugin would.
 */
@RealServices
class BytecodeEnhancementTest {

  static SessionFactory factory;
  static Class<?> essay;

  @BeforeAll
  static void boot(TestDatabase db, TestRedis redis) throws Exception {
    ClassLoader enhanced = new EnhancingLoader(Essay.class.getName());
    essay = enhanced.loadClass(Essay.class.getName());
    Map<String, Object> settings = new HashMap<>(redis.hibernateProperties());
    settings.put("hibernate.classLoaders", List.of(enhanced));
    factory = Boot.factory(db, settings, essay);
    factory.inTransaction(
        session -> {
          session.persist(essay(1L, "first", "the body of the first"));
          session.persist(essay(2L, "second", "the body of the second"));
        });
  }

  @AfterAll
  static void close() {
    if (factory != null) {
      factory.close();
    }
  }

  static Object essay(Long id, String title, String body) {
    try {
      return essay
          .getConstructor(Long.class, String.class, String.class)
          .newInstance(id, title, body);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  static <T> T inTransaction(Function<Session, T> work, long expectedSql) {
    return SqlCount.inTransaction(factory, work, expectedSql);
  }

  static EssayView find(Session session, long id) {
    return (EssayView) session.find(essay, id);
  }

  @Test
  void anEnhancedEntityIsCachedItsTrackedUpdatesAreSeenAndItsLazyAttributeReads() {
    assertThat(PersistentAttributeInterceptable.class.isAssignableFrom(essay)).isTrue();
    assertThat(SelfDirtinessTracker.class.isAssignableFrom(essay)).isTrue();
    factory.getCache().evictAllRegions();
    factory.inTransaction(session -> session.findMultiple(essay, List.of(1L, 2L)));

    List<?> cached = inTransaction(session -> session.findMultiple(essay, List.of(1L, 2L)), 0);
    assertThat(cached)
        .extracting(e -> ((EssayView) e).getTitle())
        .containsExactly("first", "second");
    String cachedTitle = inTransaction(session -> find(session, 1L).getTitle(), 0);
    assertThat(cachedTitle).isEqualTo("first");

    // the enhanced entity reports its own dirty attribute; the commit's update reaches the cache
    factory.inTransaction(
        session -> {
          EssayView first = find(session, 1L);
          first.setTitle("retitled");
          assertThat(((SelfDirtinessTracker) first).$$_hibernate_getDirtyAttributes())
              .containsExactly("title");
        });
    String updated = factory.fromTransaction(session -> find(session, 1L).getTitle());
    assertThat(updated).isEqualTo("retitled");
    factory.inTransaction(session -> find(session, 1L));
    String cachedUpdate = inTransaction(session -> find(session, 1L).getTitle(), 0);
    assertThat(cachedUpdate).isEqualTo("retitled");

    String body = factory.fromTransaction(session -> find(session, 2L).getBody());
    assertThat(body).isEqualTo("the body of the second");
  }

  /** Defines one class from its enhanced bytes; every other class comes from the parent. */
  static final class EnhancingLoader extends ClassLoader {
    private final String name;
    private final Enhancer enhancer;

    EnhancingLoader(String name) {
      super(BytecodeEnhancementTest.class.getClassLoader());
      this.name = name;
      ClassLoader parent = getParent();
      this.enhancer =
          new BytecodeProviderImpl()
              .getEnhancer(
                  new DefaultEnhancementContext() {
                    @Override
                    public ClassLoader getLoadingClassLoader() {
                      return parent;
                    }
                  });
    }

    @Override
    protected Class<?> loadClass(String className, boolean resolve) throws ClassNotFoundException {
      if (!className.equals(name)) {
        return super.loadClass(className, resolve);
      }
      synchronized (getClassLoadingLock(className)) {
        Class<?> loaded = findLoadedClass(className);
        if (loaded == null) {
          byte[] original = bytes(className);
          byte[] enhanced = enhancer.enhance(className, original);
          byte[] definition = enhanced == null ? original : enhanced;
          loaded = defineClass(className, definition, 0, definition.length);
        }
        return loaded;
      }
    }

    private byte[] bytes(String className) {
      String resource = className.replace('.', '/') + ".class";
      try (InputStream in = getParent().getResourceAsStream(resource)) {
        if (in == null) {
          throw new IllegalStateException("no class file for " + className);
        }
        return in.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
