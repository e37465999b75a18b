package dev.coalesce.samples.tracker.model;

import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.ManyToOne;
import java.time.Instant;

/**
 * One line of the activity log: "alice marked this issue as resolved.", "The system marked this
 * issue as a regression.", "A deploy started." A deploy belongs to a project and to no issue.
 */
@Entity
public class Activity {

  @Id
  @GeneratedValue(strategy = GenerationType.SEQUENCE)
  private Long id;

  @ManyToOne(fetch = FetchType.LAZY, optional = false)
  private Project project;

  @ManyToOne(fetch = FetchType.LAZY)
  private Issue issue;

  @Enumerated(EnumType.STRING)
  private ActivityType type;

  /** Who did it; {@code null} when the system did. */
  private String actor;

  private Instant datetime;

  protected Activity() {}

  public Activity(Project project, Issue issue, ActivityType type, String actor, Instant datetime) {
    this.project = project;
    this.issue = issue;
    this.type = type;
    this.actor = actor;
    this.datetime = datetime;
  }

  public ActivityType getType() {
    return type;
  }

  public Instant getDatetime() {
    return datetime;
  }

  /** The sentence the issue page shows. */
  public String sentence() {
    return type.sentence(actor);
  }
}
