package dev.coalesce.samples.tracker.stream;

import java.time.Instant;
import java.util.List;

/**
 * The "stream" of a project: the ids of its most recently seen issues, newest first, capped at a
 * maximum size so the index of a busy project never grows without bound. It stores ids only; a page
 * hydrates them with one multi-get.
 */
public interface IssueStream {

  /** Records that the issue was seen at {@code seen}: moves it to the top, trims to the cap. */
  void add(long projectId, long issueId, Instant seen);

  /** Up to {@code limit} issue ids of the project, most recently seen first. */
  List<Long> recent(long projectId, int limit);

  /** The most ids one project's stream keeps. */
  int capacity();
}
