package dev.coalesce.samples.spring;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Records error events against issues, the way application code already does it. */
@Service
public class IssueEvents {

  /** {@code lastSeen} is written at most this often; every event still counts. */
  static final Duration LAST_SEEN_RESOLUTION = Duration.ofMinutes(1);

  private final IssueRepository issues;
  private final Clock clock;

  public IssueEvents(IssueRepository issues, Clock clock) {
    this.issues = issues;
    this.clock = clock;
  }

  /**
   * One event: {@code timesSeen + 1} and {@code save}, in one transaction. The increment reaches
   * the buffer when the transaction commits; no UPDATE is issued for it.
   */
  @Transactional
  public void record(long issueId) {
    Issue issue =
        issues
            .findById(issueId)
            .orElseThrow(() -> new IllegalArgumentException("no issue with id " + issueId));
    issue.setTimesSeen(issue.getTimesSeen() + 1);
    Instant now = clock.instant();
    if (issue.getStatus() == IssueStatus.RESOLVED) {
      issue.setStatus(IssueStatus.REGRESSED);
    }
    if (issue.getLastSeen().isBefore(now.minus(LAST_SEEN_RESOLUTION))) {
      issue.setLastSeen(now);
    }
    issues.save(issue);
  }
}
