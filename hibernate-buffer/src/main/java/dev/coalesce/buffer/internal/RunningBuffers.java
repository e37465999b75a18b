package dev.coalesce.buffer.internal;

import dev.coalesce.buffer.BufferSettings;
import dev.coalesce.buffer.CounterBuffer;
import jakarta.persistence.EntityManagerFactory;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.hibernate.engine.spi.SessionFactoryImplementor;

/**
 * The counter buffer of each open SessionFactory, for {@link CounterBuffer#of}: a buffer is added
 * when its factory is created and removed when it starts closing.
 */
public final class RunningBuffers {

  private static final Map<SessionFactoryImplementor, BufferRuntime> RUNNING =
      new ConcurrentHashMap<>();

  private RunningBuffers() {}

  /** The buffer of a factory; see {@link CounterBuffer#of(EntityManagerFactory)}. */
  public static CounterBuffer of(EntityManagerFactory factory) {
    BufferRuntime runtime = RUNNING.get(factory.unwrap(SessionFactoryImplementor.class));
    if (runtime == null) {
      throw new IllegalStateException(
          "No counter buffer runs for this factory: it is closed, or "
              + BufferSettings.ENABLED
              + " is false, or hibernate-buffer's integrator did not run");
    }
    return runtime;
  }

  static void started(SessionFactoryImplementor factory, BufferRuntime runtime) {
    RUNNING.put(factory, runtime);
  }

  static void closing(SessionFactoryImplementor factory, BufferRuntime runtime) {
    RUNNING.remove(factory, runtime);
  }
}
