package dev.coalesce.buffer.internal;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.hibernate.SessionEventListener;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.hibernate.engine.spi.TransactionCompletionCallbacks.AfterCompletionCallback;
import org.hibernate.event.service.spi.EventListenerRegistry;
import org.hibernate.event.spi.EventType;
import org.jboss.logging.Logger;

/**
 * The deltas each open transaction has captured so far. They are handed to the committer after the
 * database commit, all at once; a rolled-back transaction hands over nothing. Outside a transaction
 * a delta is handed over at once. {@link #registerListeners} adds the event listeners that capture
 * them.
 *
 * <p>A session that Hibernate closes while its transaction is still open never reports completion
 * of that transaction: its deltas are dropped when the session closes (a {@code
 * SessionEventListener} end), so they are not kept forever. If the transaction completes after all
 * (JTA may complete it after the close), its after-completion callback still hands them over. With
 * the JPA bootstrap, Hibernate defers closing a session whose transaction is active and not marked
 * for rollback until that transaction completes; if it never does, its deltas stay here.
 */
final class TransactionDeltas {

  private static final Logger LOG = Logger.getLogger(TransactionDeltas.class);

  /** Receives the deltas of one committed transaction. */
  @FunctionalInterface
  public interface Committer {
    /**
     * @param deltas summed per counter
     * @param increments how many changes were captured, before summing
     */
    void committed(Map<CounterKey, Long> deltas, long increments);
  }

  private final Map<SharedSessionContractImplementor, Pending> open = new ConcurrentHashMap<>();

  /**
   * Sessions that already carry a {@link SessionEnd} listener, so a session used for many
   * transactions gets one listener, not one per transaction. Weak: never keeps a session alive.
   */
  private final Map<SharedSessionContractImplementor, Boolean> endListened =
      Collections.synchronizedMap(new WeakHashMap<>());

  private final Committer committer;

  public TransactionDeltas(Committer committer) {
    this.committer = committer;
  }

  /**
   * Adds the capture listeners to a SessionFactory: flush-entity (before Hibernate's own),
   * post-insert and merge (before and after Hibernate's own).
   */
  public void registerListeners(EventListenerRegistry listeners, Supplier<CounterModel> model) {
    CounterCapture capture = new CounterCapture(model, this);
    listeners.prependListeners(EventType.FLUSH_ENTITY, new CaptureFlushListener(capture));
    listeners.appendListeners(EventType.POST_INSERT, new InsertReconciler(capture));
    listeners.prependListeners(EventType.MERGE, new MergeSnapshot(capture));
    listeners.appendListeners(EventType.MERGE, new MergeRestore(capture));
  }

  /** Captures {@code delta} for the session's transaction, or hands it over now outside one. */
  public void add(SharedSessionContractImplementor session, CounterKey key, long delta) {
    if (delta == 0) {
      return;
    }
    if (!session.isTransactionInProgress()) {
      committer.committed(Map.of(key, delta), 1);
      return;
    }
    Pending pending = open.get(session);
    if (pending == null) {
      pending = new Pending();
      open.put(session, pending);
      session.getTransactionCompletionCallbacks().registerCallback(pending);
      if (endListened.put(session, Boolean.TRUE) == null) {
        session.getEventListenerManager().addListener(new SessionEnd(session));
      }
    }
    pending.deltas.merge(key, delta, Long::sum);
    pending.increments++;
  }

  /** Transactions whose deltas are captured and not yet handed over or dropped; for tests. */
  int openTransactions() {
    return open.size();
  }

  /** Drops what a session's unfinished transaction captured when the session closes. */
  private final class SessionEnd implements SessionEventListener {
    private static final long serialVersionUID = 1L;

    // sessions keep their event listeners out of their serialized form, so this is never written
    private final transient SharedSessionContractImplementor session;

    SessionEnd(SharedSessionContractImplementor session) {
      this.session = session;
    }

    @Override
    public void end() {
      endListened.remove(session);
      if (open.remove(session) != null) {
        LOG.debugf(
            "Session closed before its transaction completed; its counter deltas are dropped");
      }
    }
  }

  private final class Pending implements AfterCompletionCallback {
    // one session is used by one thread at a time, as Hibernate requires
    final Map<CounterKey, Long> deltas = new HashMap<>();
    long increments;

    @Override
    public void doAfterTransactionCompletion(
        boolean success, SharedSessionContractImplementor session) {
      open.remove(session, this);
      if (success) {
        deltas.values().removeIf(delta -> delta == 0);
        if (!deltas.isEmpty()) {
          committer.committed(deltas, increments);
        }
      }
    }
  }
}
