package dev.coalesce.samples.tracker.model;

/** Where an issue stands. */
public enum IssueStatus {
  UNRESOLVED,
  RESOLVED,
  /** Resolved once, then seen again. */
  REGRESSED
}
