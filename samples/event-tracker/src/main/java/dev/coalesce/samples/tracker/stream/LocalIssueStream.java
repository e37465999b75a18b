package dev.coalesce.samples.tracker.stream;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The stream kept in this JVM, for the embedded default with no Redis: the same semantics as {@link
 * RedisIssueStream} (newest first, a seen issue moves to the top, trimmed to the cap), one node
 * only.
 */
public final class LocalIssueStream implements IssueStream {

  private final int capacity;
  private final Map<Long, CappedIndex> byProject = new ConcurrentHashMap<>();

  public LocalIssueStream(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("stream capacity must be at least 1, was " + capacity);
    }
    this.capacity = capacity;
  }

  @Override
  public void add(long projectId, long issueId, Instant seen) {
    byProject
        .computeIfAbsent(projectId, p -> new CappedIndex(capacity))
        .add(issueId, seen.toEpochMilli());
  }

  @Override
  public List<Long> recent(long projectId, int limit) {
    CappedIndex index = byProject.get(projectId);
    return index == null ? List.of() : index.newest(limit);
  }

  @Override
  public int capacity() {
    return capacity;
  }

  /** A sorted set in miniature: member to score, and the members ordered by score, newest first. */
  private static final class CappedIndex {
    private record Entry(long score, long id) {}

    private static final Comparator<Entry> NEWEST_FIRST =
        Comparator.comparingLong(Entry::score).thenComparingLong(Entry::id).reversed();

    private final int capacity;
    private final Map<Long, Entry> byId = new HashMap<>();
    private final TreeSet<Entry> ordered = new TreeSet<>(NEWEST_FIRST);

    CappedIndex(int capacity) {
      this.capacity = capacity;
    }

    synchronized void add(long id, long score) {
      Entry previous = byId.put(id, new Entry(score, id));
      if (previous != null) {
        ordered.remove(previous);
      }
      ordered.add(new Entry(score, id));
      while (ordered.size() > capacity) {
        byId.remove(ordered.pollLast().id());
      }
    }

    synchronized List<Long> newest(int limit) {
      List<Long> ids = new ArrayList<>(Math.min(limit, ordered.size()));
      Iterator<Entry> it = ordered.iterator();
      while (it.hasNext() && ids.size() < limit) {
        ids.add(it.next().id());
      }
      return ids;
    }
  }
}
