package dev.coalesce.benchmarks.cache;

import jakarta.persistence.Cacheable;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import org.hibernate.annotations.Cache;
import org.hibernate.annotations.CacheConcurrencyStrategy;

/** A post cached READ_WRITE (the cache's hardest mode) when the second-level cache is on. */
@Entity
@Table(name = "cached_post")
@Cacheable
@Cache(usage = CacheConcurrencyStrategy.READ_WRITE)
public class CachedPost {
  @Id Long id;
  String title;
  String body;
  long views;
  @Version int version;

  protected CachedPost() {}

  CachedPost(Long id) {
    this.id = id;
    this.title = "post " + id;
    this.body = "body of post " + id + ", long enough to be a realistic row";
  }
}
