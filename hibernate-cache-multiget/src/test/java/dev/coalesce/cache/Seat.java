package dev.coalesce.cache;

import jakarta.persistence.Cacheable;
import jakarta.persistence.Embeddable;
import jakarta.persistence.EmbeddedId;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.ManyToOne;
import java.io.Serializable;
import java.util.Objects;
import org.hibernate.annotations.Cache;
import org.hibernate.annotations.CacheConcurrencyStrategy;

/** An {@code @EmbeddedId} that holds an association. */
@Entity
@Cacheable
@Cache(usage = CacheConcurrencyStrategy.READ_WRITE)
public class Seat {

  @Embeddable
  public static class SeatId implements Serializable {
    @ManyToOne(fetch = FetchType.LAZY)
    Club club;

    int number;

    protected SeatId() {}

    SeatId(Club club, int number) {
      this.club = club;
      this.number = number;
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof SeatId that
          && number == that.number
          && Objects.equals(
              club == null ? null : club.getId(), that.club == null ? null : that.club.getId());
    }

    @Override
    public int hashCode() {
      return Objects.hash(club == null ? null : club.getId(), number);
    }
  }

  @EmbeddedId SeatId id;

  String holder;

  protected Seat() {}

  Seat(SeatId id, String holder) {
    this.id = id;
    this.holder = holder;
  }
}
