package dev.coalesce.buffer;

import dev.coalesce.buffer.boot.BufferRuntime;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import org.hibernate.SessionFactory;

/**
 * The counter buffer of one SessionFactory: where {@link BufferedCounter} increments wait until the
 * next flush.
 *
 * <p>Plain entity code ({@code post.setViews(post.getViews() + 1)}) needs none of this; use it to
 * increment without loading the row, to read what is still pending, or to flush on demand.
 */
public interface CounterBuffer {

  /**
   * The buffer of {@code factory}.
   *
   * @throws IllegalStateException if the factory is closed, or the buffer is disabled ({@value
   *     BufferSettings#ENABLED}{@code = false})
   */
  static CounterBuffer of(EntityManagerFactory factory) {
    return BufferRuntime.of(factory);
  }

  /** The buffer of {@code factory}; see {@link #of(EntityManagerFactory)}. */
  static CounterBuffer of(SessionFactory factory) {
    return BufferRuntime.of(factory);
  }

  /**
   * Buffers {@code delta} for a counter without loading its row. Inside an active transaction of
   * {@code em} it takes effect only if that transaction commits; outside one it takes effect at
   * once.
   *
   * @throws IllegalArgumentException if {@code entity} is not an entity of this factory, or {@code
   *     attribute} is not one of its {@link BufferedCounter} attributes, or {@code id} is null or
   *     of the wrong type
   */
  void increment(EntityManager em, Class<?> entity, Object id, String attribute, long delta);

  /**
   * What was accepted (committed) for this counter but is not yet in the database.
   *
   * @throws IllegalArgumentException as {@link #increment}
   */
  long pending(Class<?> entity, Object id, String attribute);

  /**
   * Applies everything pending now, synchronously, in as many flush transactions as needed.
   *
   * @return rows updated in the database
   */
  long flush();

  /** What this buffer did so far. */
  BufferStats stats();
}
