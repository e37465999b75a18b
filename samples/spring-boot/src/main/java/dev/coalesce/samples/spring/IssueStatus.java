package dev.coalesce.samples.spring;

/** Where an issue stands. */
public enum IssueStatus {
  UNRESOLVED,
  RESOLVED,
  /** Resolved once, then seen again. */
  REGRESSED
}
