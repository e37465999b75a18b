package dev.coalesce.cache;

import jakarta.persistence.Cacheable;
import jakarta.persistence.Embeddable;
import jakarta.persistence.EmbeddedId;
import jakarta.persistence.Entity;
import java.util.Objects;
import org.hibernate.annotations.Cache;
import org.hibernate.annotations.CacheConcurrencyStrategy;

/** An entity whose {@code @EmbeddedId} class is not Serializable. */
@Entity
@Cacheable
@Cache(usage = CacheConcurrencyStrategy.READ_WRITE)
public class Shelf {

  @Embeddable
  public static class Place {
    String aisle;
    int position;

    protected Place() {}

    Place(String aisle, int position) {
      this.aisle = aisle;
      this.position = position;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Place p && p.aisle.equals(aisle) && p.position == position;
    }

    @Override
    public int hashCode() {
      return Objects.hash(aisle, position);
    }
  }

  @EmbeddedId Place place;

  String label;

  protected Shelf() {}

  Shelf(Place place, String label) {
    this.place = place;
    this.label = label;
  }
}
