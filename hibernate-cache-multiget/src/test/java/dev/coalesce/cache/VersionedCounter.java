package dev.coalesce.cache;

import jakarta.persistence.Cacheable;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Version;
import org.hibernate.annotations.Cache;
import org.hibernate.annotations.CacheConcurrencyStrategy;

/**
 * A {@link Counter} with optimistic locking: writers that loaded it before another writer's commit
 * fail at their UPDATE instead of waiting for a row lock, so their soft locks overlap.
 */
@Entity
@Cacheable
@Cache(usage = CacheConcurrencyStrategy.READ_WRITE)
public class VersionedCounter {
  @Id Long id;

  long value;

  @Version int version;

  protected VersionedCounter() {}

  VersionedCounter(Long id) {
    this.id = id;
  }
}
