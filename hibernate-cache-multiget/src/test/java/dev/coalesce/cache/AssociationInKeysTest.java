package dev.coalesce.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.TestDatabase;
import dev.coalesce.testing.TestRedis;
import java.util.Map;
import org.hibernate.KeyType;
import org.hibernate.SessionFactory;
import org.hibernate.stat.Statistics;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A natural id or an {@code @EmbeddedId} that holds a {@code @ManyToOne} is keyed by the associated
 * entity's id (found by Hibernate's own suite: the commit threw "Cannot encode a cache entry"), so
 * it can be written, and a lookup through a proxy of the associated entity hits.
 */
@RealServices
class AssociationInKeysTest {

  static SessionFactory factory;

  @BeforeAll
  static void boot(TestDatabase db, TestRedis redis) {
    factory =
        Boot.factory(db, redis.hibernateProperties(), Club.class, Membership.class, Seat.class);
  }

  @AfterAll
  static void close() {
    if (factory != null) {
      factory.close();
    }
  }

  @Test
  void aNaturalIdHoldingAnAssociationIsCachedAndFoundThroughAProxy() {
    factory.inTransaction(
        session -> {
          Club club = new Club(1L, "chess");
          session.persist(club);
          session.persist(new Membership(1L, club, "ada"));
        });
    Statistics stats = factory.getStatistics();
    stats.clear();
    Long found =
        factory.fromTransaction(
            session ->
                session.find(
                        Membership.class,
                        Map.of("club", session.getReference(Club.class, 1L), "member", "ada"),
                        KeyType.NATURAL)
                    .id);
    assertThat(found).isEqualTo(1L);
    assertThat(stats.getNaturalIdCacheHitCount()).isEqualTo(1);
    assertThat(stats.getSecondLevelCacheHitCount()).isEqualTo(1);
    assertThat(stats.getPrepareStatementCount()).isZero();
  }

  @Test
  void anEmbeddedIdHoldingAnAssociationIsCachedAndFoundThroughAProxy() {
    factory.inTransaction(
        session -> {
          Club club = new Club(2L, "go");
          session.persist(club);
          session.persist(new Seat(new Seat.SeatId(club, 7), "grace"));
        });
    Statistics stats = factory.getStatistics();
    stats.clear();
    String holder =
        factory.fromTransaction(
            session ->
                session.find(Seat.class, new Seat.SeatId(session.getReference(Club.class, 2L), 7))
                    .holder);
    assertThat(holder).isEqualTo("grace");
    assertThat(stats.getSecondLevelCacheHitCount()).isEqualTo(1);
    assertThat(stats.getPrepareStatementCount()).isZero();
  }
}
