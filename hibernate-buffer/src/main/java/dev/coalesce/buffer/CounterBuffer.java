package dev.coalesce.buffer;

import dev.coalesce.buffer.internal.RunningBuffers;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import java.util.List;
import org.hibernate.SessionFactory;

/**
 * The counter buffer of one SessionFactory: where {@link BufferedCounter} increments wait until the
 * next flush.
 *
 * <p>Plain entity code ({@code post.setViews(post.getViews() + 1)}) needs none of this; use it to
 * increment without loading the row, to read what is still pending, or to flush on demand.
 *
 * <p>There is one buffer per factory, from the factory's start until it closes; it is safe for use
 * by many threads. A counter is named by its entity class, the id of its row and the name of the
 * {@link BufferedCounter} attribute.
 */
public interface CounterBuffer {

  /**
   * The table of deltas set aside by a flush (their UPDATE failed, e.g. overflow), created at
   * start-up next to the ledger, in Hibernate's default catalog and schema when set. Columns:
   * {@code partition_no, seq, entity, attribute, id, delta, error, failed_at}.
   */
  String SET_ASIDE_TABLE = "coalesce_buffer_failed";

  /**
   * The buffer of {@code factory}; the same instance on every call while the factory is open.
   *
   * @throws IllegalStateException if the factory is closed, or the buffer is disabled ({@value
   *     BufferSettings#ENABLED}{@code = false})
   */
  static CounterBuffer of(EntityManagerFactory factory) {
    return RunningBuffers.of(factory);
  }

  /** The buffer of {@code factory}; see {@link #of(EntityManagerFactory)}. */
  static CounterBuffer of(SessionFactory factory) {
    return RunningBuffers.of(factory);
  }

  /**
   * Adds {@code delta} to a counter without loading its row. Inside an active transaction of {@code
   * em} it takes effect only if that transaction commits, together with the transaction's other
   * counter changes; outside one it takes effect at once. The row is not checked: a delta for an id
   * that has no row is dropped by the flush.
   *
   * <p>A store failure after the commit never fails this call or the commit: when the store is
   * provably unreachable the delta is written straight to the database ({@link
   * BufferStats#directFallbacks()}), otherwise the failure is logged at ERROR with the delta.
   *
   * @param em an EntityManager of this factory, whose transaction (if active) the delta joins
   * @param delta any value, negative included; 0 changes nothing
   * @throws IllegalArgumentException if {@code entity} is not an entity of this factory, or {@code
   *     attribute} is not one of its {@link BufferedCounter} attributes, or {@code id} is null or
   *     not of the entity's id type; the message names the entity and attribute
   */
  void increment(EntityManager em, Class<?> entity, Object id, String attribute, long delta);

  /**
   * What was committed for this counter but is not yet in the database: with the {@code redis}
   * store, from every node; with {@code local}, from this JVM. Reads the store (and, while a flush
   * is in flight, the ledger table), so it is meant for checks and tests, not for every request.
   *
   * @throws IllegalArgumentException as {@link #increment}
   */
  long pending(Class<?> entity, Object id, String attribute);

  /**
   * Applies everything pending now, synchronously, in as many flush transactions as needed (one per
   * partition and {@value BufferSettings#MAX_ROWS_PER_FLUSH} rows). When it returns, every delta
   * that was pending when it was called is in the database. Waits for a background flush in
   * progress on this node. Rows whose UPDATE fails with a data error (e.g. overflow) are set aside
   * in the table {@code coalesce_buffer_failed}, in the same transaction as the rows applied, are
   * counted in {@link BufferStats#rowsFailed()}, and do not fail the call.
   *
   * <p>Partitions are flushed independently: one that fails (a lost connection, a statement
   * timeout) does not stop the others, and is reported once all were tried. A partition another
   * node is flushing right now is taken over (that node stops after its current claim at most).
   *
   * @return rows updated in the database; 0 when the factory has no buffered counters
   * @throws RuntimeException (a Hibernate or Redis exception) when the database or the store fails:
   *     what was claimed stays pending and a later flush applies it, exactly once; when only some
   *     partitions failed, a {@code dev.coalesce.buffer.PartitionsFailedException} naming them, the
   *     others being flushed
   */
  long flush();

  /**
   * What this buffer did so far, as a snapshot. Counts are of this JVM since the factory started;
   * {@link BufferStats#oldestPendingAge()} reads the store, and is null when the store cannot be
   * reached.
   */
  BufferStats stats();

  /**
   * What each partition of the store holds now: counters waiting for a flush, counters of a claim
   * in flight, and the oldest one's age. With the {@code redis} store, every node's, read in one
   * round trip; with {@code local}, this JVM's.
   *
   * @throws RuntimeException (a Redis exception) when the store cannot be read
   */
  List<PartitionBacklog> backlog();
}
