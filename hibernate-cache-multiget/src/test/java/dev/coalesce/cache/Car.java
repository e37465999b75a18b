package dev.coalesce.cache;

import jakarta.persistence.Entity;

@Entity
public class Car extends Vehicle {
  int doors;

  protected Car() {}

  Car(Long id, String name, int doors) {
    super(id, name);
    this.doors = doors;
  }
}
