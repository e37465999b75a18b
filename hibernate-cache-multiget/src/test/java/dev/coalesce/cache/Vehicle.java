package dev.coalesce.cache;

import jakarta.persistence.Cacheable;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Inheritance;
import jakarta.persistence.InheritanceType;
import org.hibernate.annotations.Cache;
import org.hibernate.annotations.CacheConcurrencyStrategy;

/** The root of a TABLE_PER_CLASS hierarchy: one table per concrete class, none for this one. */
@Entity
@Inheritance(strategy = InheritanceType.TABLE_PER_CLASS)
@Cacheable
@Cache(usage = CacheConcurrencyStrategy.READ_WRITE)
public abstract class Vehicle {
  @Id Long id;

  String name;

  protected Vehicle() {}

  Vehicle(Long id, String name) {
    this.id = id;
    this.name = name;
  }
}
