package dev.coalesce.benchmarks.cache;

import jakarta.persistence.Cacheable;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import org.hibernate.annotations.Cache;
import org.hibernate.annotations.CacheConcurrencyStrategy;

/**
 * A post of 10 columns, cached READ_WRITE (the hardest mode, and the one every compared cache
 * supports) when the second-level cache is on. Rows are inserted by SQL ({@link
 * FindMultipleBenchmark#SEED}), so the column names are spelled out there.
 */
@Entity
@Table(name = "cached_post")
@Cacheable
@Cache(usage = CacheConcurrencyStrategy.READ_WRITE)
public class CachedPost {
  @Id Long id;
  String title;
  String body;
  String author;
  String category;
  long views;
  long likes;
  double score;
  boolean published;
  @Version int version;

  protected CachedPost() {}
}
