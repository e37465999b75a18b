package dev.coalesce.buffer.boot;

import dev.coalesce.buffer.BufferStats;
import dev.coalesce.buffer.CounterBuffer;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.hibernate.engine.spi.SessionFactoryImplementor;

/** The counter buffer of one SessionFactory. */
public final class BufferRuntime implements CounterBuffer {

  private static final Map<SessionFactoryImplementor, BufferRuntime> RUNNING =
      new ConcurrentHashMap<>();

  /** The buffer of a factory; see {@link CounterBuffer#of(EntityManagerFactory)}. */
  public static CounterBuffer of(EntityManagerFactory factory) {
    SessionFactoryImplementor sessionFactory = factory.unwrap(SessionFactoryImplementor.class);
    BufferRuntime runtime = RUNNING.get(sessionFactory);
    if (runtime == null) {
      throw new IllegalStateException("No counter buffer runs for this factory (not yet wired)");
    }
    return runtime;
  }

  @Override
  public void increment(
      EntityManager em, Class<?> entity, Object id, String attribute, long delta) {
    throw new UnsupportedOperationException("not yet implemented");
  }

  @Override
  public long pending(Class<?> entity, Object id, String attribute) {
    throw new UnsupportedOperationException("not yet implemented");
  }

  @Override
  public long flush() {
    throw new UnsupportedOperationException("not yet implemented");
  }

  @Override
  public BufferStats stats() {
    throw new UnsupportedOperationException("not yet implemented");
  }
}
