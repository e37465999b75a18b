package dev.coalesce.buffer;

import jakarta.persistence.Cacheable;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import org.hibernate.annotations.Cache;
import org.hibernate.annotations.CacheConcurrencyStrategy;

@Entity
@Cacheable
@Cache(usage = CacheConcurrencyStrategy.READ_WRITE)
public class CachedPost {
  @Id Long id;
  String title;
  @BufferedCounter long views;

  protected CachedPost() {}

  CachedPost(Long id, String title) {
    this.id = id;
    this.title = title;
  }
}
