package dev.coalesce.cache;

import jakarta.persistence.Cacheable;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.Id;
import jakarta.persistence.ManyToOne;
import org.hibernate.annotations.Cache;
import org.hibernate.annotations.CacheConcurrencyStrategy;
import org.hibernate.annotations.NaturalId;
import org.hibernate.annotations.NaturalIdCache;

/** A natural id that holds an association. */
@Entity
@Cacheable
@Cache(usage = CacheConcurrencyStrategy.READ_WRITE)
@NaturalIdCache
public class Membership {
  @Id Long id;

  @NaturalId
  @ManyToOne(fetch = FetchType.LAZY)
  Club club;

  @NaturalId String member;

  protected Membership() {}

  Membership(Long id, Club club, String member) {
    this.id = id;
    this.club = club;
    this.member = member;
  }
}
