package dev.coalesce.samples.tracker.model;

/** What happened, in the words the talk's activity log used. */
public enum ActivityType {
  FIRST_SEEN("The system first saw this issue."),
  SET_RESOLVED("%s marked this issue as resolved."),
  SET_REGRESSION("The system marked this issue as a regression."),
  DEPLOY_START("A deploy started.");

  private final String sentence;

  ActivityType(String sentence) {
    this.sentence = sentence;
  }

  /** The human sentence; {@code actor} fills the {@code %s} of the types a person causes. */
  public String sentence(String actor) {
    return sentence.contains("%s") ? String.format(sentence, actor) : sentence;
  }
}
