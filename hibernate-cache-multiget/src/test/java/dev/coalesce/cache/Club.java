package dev.coalesce.cache;

import jakarta.persistence.Cacheable;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import org.hibernate.annotations.Cache;
import org.hibernate.annotations.CacheConcurrencyStrategy;

/** An entity other entities' natural ids and composite ids point to (not Serializable). */
@Entity
@Cacheable
@Cache(usage = CacheConcurrencyStrategy.READ_WRITE)
public class Club {
  @Id Long id;

  String name;

  protected Club() {}

  Club(Long id, String name) {
    this.id = id;
    this.name = name;
  }

  Long getId() {
    return id;
  }
}
