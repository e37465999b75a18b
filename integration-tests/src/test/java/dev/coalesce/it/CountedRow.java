package dev.coalesce.it;

/** What the counter-through-cache tests do with a row, whichever entity it is. */
public interface CountedRow {

  void setTitle(String title);

  long getViews();
}
