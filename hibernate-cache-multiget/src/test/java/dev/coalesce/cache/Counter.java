package dev.coalesce.cache;

import jakarta.persistence.Cacheable;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import org.hibernate.annotations.Cache;
import org.hibernate.annotations.CacheConcurrencyStrategy;

/** A row whose value only grows: a reader that sees a smaller value than a commit saw is stale. */
@Entity
@Cacheable
@Cache(usage = CacheConcurrencyStrategy.READ_WRITE)
public class Counter {
  @Id Long id;

  long value;

  protected Counter() {}

  Counter(Long id) {
    this.id = id;
  }
}
