package dev.coalesce.buffer;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

@Entity
@Table(name = "post") // lower case: MariaDB on Linux tells Post from post, and tests query post
public class Post {
  @Id Long id;
  String title;
  @Version long version;
  @BufferedCounter long views;
  @BufferedCounter Integer likes;

  protected Post() {}

  Post(Long id, String title) {
    this.id = id;
    this.title = title;
    this.likes = 0;
  }
}
