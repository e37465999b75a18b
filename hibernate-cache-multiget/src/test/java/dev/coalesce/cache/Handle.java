package dev.coalesce.cache;

import jakarta.persistence.Cacheable;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import org.hibernate.annotations.Cache;
import org.hibernate.annotations.CacheConcurrencyStrategy;
import org.hibernate.annotations.NaturalId;
import org.hibernate.annotations.NaturalIdCache;

/** An entity whose natural id resolutions are cached {@code NONSTRICT_READ_WRITE}. */
@Entity
@Cacheable
@Cache(usage = CacheConcurrencyStrategy.NONSTRICT_READ_WRITE)
@NaturalIdCache
public class Handle {
  @Id Long id;

  @NaturalId String name;

  protected Handle() {}

  Handle(Long id, String name) {
    this.id = id;
    this.name = name;
  }
}
