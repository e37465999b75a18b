package dev.coalesce.buffer.internal;

import dev.coalesce.buffer.PartitionBacklog;
import dev.coalesce.redis.internal.RedisOutage;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * What to log when the last flush of a closing factory fails. An ERROR only when deltas really
 * remain (nothing is lost when the store held nothing: the flush failed on its way, e.g. its
 * database connection was closed first), saying how many and where they stay.
 */
final class FinalFlushLog {

  private static final Logger LOG = Logger.getLogger(BufferRuntime.class);

  private FinalFlushLog() {}

  static void failed(
      Throwable cause,
      DeltaStore store,
      String factoryName,
      String storeName,
      Supplier<String> namespace) {
    List<PartitionBacklog> backlog;
    try {
      backlog = store.backlog();
    } catch (RuntimeException unreadable) {
      LOG.warnf(
          "SessionFactory '%s': the final counter flush failed (%s) and the %s store cannot be"
              + " read (%s); deltas it holds stay there, and the next factory started on it flushes"
              + " them. Check that it runs and is reachable from here",
          factoryName, oneLine(cause), storeName, oneLine(unreadable));
      return;
    }
    long live = 0;
    long inFlight = 0;
    List<Integer> partitions = new ArrayList<>();
    for (PartitionBacklog partition : backlog) {
      live += partition.liveDeltas();
      inFlight += partition.inFlightDeltas();
      if (partition.liveDeltas() + partition.inFlightDeltas() > 0) {
        partitions.add(partition.partition());
      }
    }
    if (partitions.isEmpty()) {
      LOG.debugf(
          "SessionFactory '%s': the final counter flush failed (%s) with nothing pending",
          factoryName, cause);
      return;
    }
    // a store or database that does not answer is no surprise: its first line says enough
    Throwable trace =
        StoreUnreachableException.causedBy(cause) || DatabaseUnreachable.causedBy(cause)
            ? null
            : cause;
    if (store.shared()) {
      LOG.errorf(
          trace,
          "SessionFactory '%s': the final counter flush failed (%s); %d counters (%d live, %d in a"
              + " claim) stay in the redis store, partitions %s of namespace '%s'. Another node,"
              + " or the next start of this application, flushes them; fix the cause if it"
              + " persists",
          factoryName,
          oneLine(cause),
          live + inFlight,
          live,
          inFlight,
          partitions,
          namespace.get());
    } else {
      LOG.errorf(
          trace,
          "SessionFactory '%s': the final counter flush failed (%s); %d counters (%d live, %d in a"
              + " claim) of the local store, partitions %s, are lost with this JVM. Fix the cause;"
              + " use the redis store to keep deltas across restarts",
          factoryName,
          oneLine(cause),
          live + inFlight,
          live,
          inFlight,
          partitions);
    }
  }

  private static String oneLine(Throwable e) {
    return e.getClass().getSimpleName() + ": " + RedisOutage.firstLine(e);
  }
}
