package dev.coalesce.samples.tracker.pages;

import dev.coalesce.cache.MultiGet;
import dev.coalesce.samples.tracker.model.Issue;
import dev.coalesce.samples.tracker.stream.IssueStream;
import jakarta.persistence.EntityManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A project's stream page: the ids of its most recently seen issues from the {@link IssueStream},
 * hydrated with {@link MultiGet#byIds} (one cache round trip for all of them, one SQL query for the
 * misses), in stream order.
 */
public record StreamPage(long projectId, List<Row> rows) {

  /** One line of the page. */
  public record Row(long issueId, String title, String status, long timesSeen) {}

  /** Reads the stream and hydrates it; ids whose issue is gone are left out. */
  public static StreamPage load(EntityManager em, IssueStream stream, long projectId, int size) {
    List<Long> ids = stream.recent(projectId, size);
    Map<Object, Issue> issues = MultiGet.byIds(em, Issue.class, ids);
    List<Row> rows = new ArrayList<>(issues.size());
    for (Issue issue : issues.values()) {
      rows.add(
          new Row(issue.getId(), issue.getTitle(), issue.getStatus().name(), issue.getTimesSeen()));
    }
    return new StreamPage(projectId, rows);
  }

  /** The page as text, at most {@code lines} rows. */
  public String render(int lines) {
    StringBuilder out = new StringBuilder();
    out.append(String.format("Stream of project %d (most recently seen first)%n", projectId));
    out.append(String.format("  %-7s %-11s %10s  %s%n", "issue", "status", "seen", "title"));
    for (Row row : rows.subList(0, Math.min(lines, rows.size()))) {
      out.append(
          String.format(
              "  #%-6d %-11s %,10d  %s%n",
              row.issueId(), row.status(), row.timesSeen(), row.title()));
    }
    return out.toString();
  }
}
