package dev.coalesce.samples.spring;

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
 * The event tracker's issue: a group of identical error events. {@code timesSeen} is a {@link
 * BufferedCounter}: {@code setTimesSeen(getTimesSeen() + 1)} in a transaction sends +1 to the
 * buffer at commit, and the flusher applies it as {@code times_seen = times_seen + ?}.
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
