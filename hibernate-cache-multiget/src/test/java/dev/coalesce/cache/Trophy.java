package dev.coalesce.cache;

import jakarta.persistence.Cacheable;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import org.hibernate.annotations.Cache;
import org.hibernate.annotations.CacheConcurrencyStrategy;

/** An entity with an attribute only Java serialization can cache. */
@Entity
@Cacheable
@Cache(usage = CacheConcurrencyStrategy.READ_WRITE)
public class Trophy {
  @Id Long id;

  Medal medal;

  protected Trophy() {}

  Trophy(Long id, Medal medal) {
    this.id = id;
    this.medal = medal;
  }
}
