package dev.coalesce.benchmarks.buffer;

import dev.coalesce.buffer.BufferedCounter;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A post whose views are buffered. */
@Entity
@Table(name = "buffered_post")
public class BufferedCounterPost {
  @Id Long id;
  String title;
  @BufferedCounter long views;

  protected BufferedCounterPost() {}

  BufferedCounterPost(Long id) {
    this.id = id;
    this.title = "post " + id;
  }
}
