package dev.coalesce.buffer;

import jakarta.persistence.Cacheable;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import org.hibernate.annotations.Cache;
import org.hibernate.annotations.CacheConcurrencyStrategy;

@Entity
@Cacheable
@Cache(usage = CacheConcurrencyStrategy.NONSTRICT_READ_WRITE)
public class NonstrictCachedPost {
  @Id Long id;
  @BufferedCounter long views;

  protected NonstrictCachedPost() {}

  NonstrictCachedPost(Long id) {
    this.id = id;
  }
}
