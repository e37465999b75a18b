package dev.coalesce.samples.tracker.pages;

import dev.coalesce.samples.tracker.model.Activity;
import dev.coalesce.samples.tracker.model.Issue;
import jakarta.persistence.EntityManager;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/** An issue and its activity log, newest first. */
public record IssuePage(Issue issue, List<Activity> activity) {

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

  /** Loads the issue (through the cache) and its latest {@code limit} activities. */
  public static IssuePage load(EntityManager em, long issueId, int limit) {
    Issue issue = em.find(Issue.class, issueId);
    if (issue == null) {
      throw new IllegalArgumentException("no issue with id " + issueId);
    }
    List<Activity> activity =
        em.createQuery(
                "select a from Activity a where a.issue.id = :issue order by a.datetime desc, a.id"
                    + " desc",
                Activity.class)
            .setParameter("issue", issueId)
            .setMaxResults(limit)
            .getResultList();
    return new IssuePage(issue, activity);
  }

  /** The page as text. */
  public String render() {
    StringBuilder out = new StringBuilder();
    out.append(String.format("Issue #%d: %s%n", issue.getId(), issue.getTitle()));
    out.append(
        String.format(
            "  status %s, seen %,d times, first seen %s UTC, last seen %s UTC%n",
            issue.getStatus(),
            issue.getTimesSeen(),
            TIME.format(issue.getFirstSeen()),
            TIME.format(issue.getLastSeen())));
    for (Activity line : activity) {
      out.append(String.format("  %s  %s%n", TIME.format(line.getDatetime()), line.sentence()));
    }
    return out.toString();
  }
}
