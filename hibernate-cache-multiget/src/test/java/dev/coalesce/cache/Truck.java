package dev.coalesce.cache;

import jakarta.persistence.Entity;

@Entity
public class Truck extends Vehicle {
  int axles;

  protected Truck() {}

  Truck(Long id, String name, int axles) {
    super(id, name);
    this.axles = axles;
  }
}
