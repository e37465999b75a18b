package dev.coalesce.cache;

import jakarta.persistence.Cacheable;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import java.util.HashSet;
import java.util.Set;
import org.hibernate.annotations.Cache;
import org.hibernate.annotations.CacheConcurrencyStrategy;

/** An entity whose collection is cached {@code NONSTRICT_READ_WRITE}: removed after each write. */
@Entity
@Cacheable
@Cache(usage = CacheConcurrencyStrategy.NONSTRICT_READ_WRITE)
public class Notebook {
  @Id Long id;

  @ElementCollection
  @Cache(usage = CacheConcurrencyStrategy.NONSTRICT_READ_WRITE)
  Set<String> labels = new HashSet<>();

  protected Notebook() {}

  Notebook(Long id, String label) {
    this.id = id;
    labels.add(label);
  }
}
