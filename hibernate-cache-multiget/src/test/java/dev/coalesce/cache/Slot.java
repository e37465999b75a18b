package dev.coalesce.cache;

import jakarta.persistence.Cacheable;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import java.util.Objects;
import org.hibernate.annotations.Cache;
import org.hibernate.annotations.CacheConcurrencyStrategy;

/** An entity whose {@code @IdClass} is not Serializable. */
@Entity
@IdClass(Slot.Key.class)
@Cacheable
@Cache(usage = CacheConcurrencyStrategy.READ_WRITE)
public class Slot {

  public static class Key {
    String rack;
    int number;

    protected Key() {}

    Key(String rack, int number) {
      this.rack = rack;
      this.number = number;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && k.rack.equals(rack) && k.number == number;
    }

    @Override
    public int hashCode() {
      return Objects.hash(rack, number);
    }
  }

  @Id String rack;

  @Id int number;

  String content;

  protected Slot() {}

  Slot(String rack, int number, String content) {
    this.rack = rack;
    this.number = number;
    this.content = content;
  }
}
