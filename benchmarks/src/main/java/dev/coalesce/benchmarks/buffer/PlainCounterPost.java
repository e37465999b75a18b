package dev.coalesce.benchmarks.buffer;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** The same post with a plain column, for the two baselines. */
@Entity
@Table(name = "plain_post")
public class PlainCounterPost {
  @Id Long id;
  String title;
  long views;

  protected PlainCounterPost() {}

  PlainCounterPost(Long id) {
    this.id = id;
    this.title = "post " + id;
  }
}
