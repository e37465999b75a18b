package dev.coalesce.samples.tracker.model;

import dev.coalesce.buffer.BufferedCounter;
import jakarta.persistence.Cacheable;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.ManyToOne;
import java.time.Instant;
import org.hibernate.annotations.Cache;
import org.hibernate.annotations.CacheConcurrencyStrategy;

/**
 * A group of identical error events. Every event that arrives for it adds one to {@link
 * #getTimesSeen()}: with {@link BufferedCounter} the increment goes to the buffer at commit and
 * reaches the database as one {@code UPDATE issue SET times_seen = times_seen + ?} per issue per
 * flush interval, instead of one UPDATE (and one row lock) per event.
 */
@Entity
@Cacheable
@Cache(usage = CacheConcurrencyStrategy.READ_WRITE)
public class Issue {

  @Id
  @GeneratedValue(strategy = GenerationType.SEQUENCE)
  private Long id;

  @ManyToOne(fetch = FetchType.LAZY, optional = false)
  private Project project;

  private String title;

  @Enumerated(EnumType.STRING)
  private IssueStatus status;

  private Instant firstSeen;

  private Instant lastSeen;

  @BufferedCounter private long timesSeen;

  protected Issue() {}

  public Issue(Project project, String title, Instant firstSeen) {
    this.project = project;
    this.title = title;
    this.status = IssueStatus.UNRESOLVED;
    this.firstSeen = firstSeen;
    this.lastSeen = firstSeen;
  }

  public Long getId() {
    return id;
  }

  public Project getProject() {
    return project;
  }

  public String getTitle() {
    return title;
  }

  public IssueStatus getStatus() {
    return status;
  }

  public void setStatus(IssueStatus status) {
    this.status = status;
  }

  public Instant getFirstSeen() {
    return firstSeen;
  }

  public Instant getLastSeen() {
    return lastSeen;
  }

  public void setLastSeen(Instant lastSeen) {
    this.lastSeen = lastSeen;
  }

  public long getTimesSeen() {
    return timesSeen;
  }

  public void setTimesSeen(long timesSeen) {
    this.timesSeen = timesSeen;
  }
}
