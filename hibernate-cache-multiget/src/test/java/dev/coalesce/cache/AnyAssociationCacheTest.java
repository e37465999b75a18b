package dev.coalesce.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.TestDatabase;
import dev.coalesce.testing.TestRedis;
import jakarta.persistence.Cacheable;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.JoinTable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.hibernate.Hibernate;
import org.hibernate.SessionFactory;
import org.hibernate.annotations.Any;
import org.hibernate.annotations.AnyDiscriminatorValue;
import org.hibernate.annotations.AnyKeyJavaClass;
import org.hibernate.annotations.Cache;
import org.hibernate.annotations.CacheConcurrencyStrategy;
import org.hibernate.annotations.ManyToAny;
import org.hibernate.stat.Statistics;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An entity with an {@code @Any} association and a {@code @ManyToAny} collection is served from the
 * cache (Hibernate ORM's {@code JoinFetchAnyQueryCacheTest} found it never was: the cached form of
 * such a reference, Hibernate's {@code AnyType.ObjectTypeCacheEntry}, was Java-serialized and the
 * decoding filter refused it, so every read was a miss that deleted the entry). On Redis and on the
 * local store.
 */
@RealServices
class AnyAssociationCacheTest {

  static TestDatabase db;
  static TestRedis redis;

  @BeforeAll
  static void services(TestDatabase database, TestRedis testRedis) {
    db = database;
    redis = testRedis;
  }

  @ParameterizedTest(name = "{0} store")
  @ValueSource(strings = {"redis", "local"})
  void anEntityWithAnAnyAssociationIsAHit(String store) {
    Map<String, Object> settings = new HashMap<>();
    if (store.equals("redis")) {
      settings.putAll(redis.hibernateProperties());
    } else {
      settings.put(CacheSettings.STORE, "local");
    }
    try (SessionFactory factory =
        Boot.factory(db, settings, Purchase.class, CashPayment.class, CardPayment.class)) {
      factory.inTransaction(
          session -> {
            CashPayment cash = new CashPayment(2L, 20);
            CardPayment card = new CardPayment(3L, "4242");
            session.persist(cash);
            session.persist(card);
            Purchase purchase = new Purchase(1L);
            purchase.payment = card;
            purchase.history.add(cash);
            purchase.history.add(card);
            session.persist(purchase);
          });
      // the collection is cached by its first load
      factory.inTransaction(
          session -> Hibernate.initialize(session.find(Purchase.class, 1L).history));

      Statistics stats = factory.getStatistics();
      for (int read = 1; read <= 2; read++) {
        stats.clear();
        factory.inTransaction(
            session -> {
              Purchase purchase = session.find(Purchase.class, 1L);
              assertThat(((CardPayment) Hibernate.unproxy(purchase.payment)).number)
                  .isEqualTo("4242");
              assertThat(purchase.history)
                  .extracting(payment -> Hibernate.unproxy(payment).getClass().getSimpleName())
                  .containsExactly("CashPayment", "CardPayment");
            });
        assertThat(stats.getPrepareStatementCount()).as("SQL of read %d", read).isZero();
        assertThat(stats.getSecondLevelCacheMissCount()).as("misses of read %d", read).isZero();
        assertThat(stats.getEntityStatistics(Purchase.class.getName()).getCacheHitCount())
            .isEqualTo(1);
        assertThat(
                stats
                    .getCollectionStatistics(Purchase.class.getName() + ".history")
                    .getCacheHitCount())
            .isEqualTo(1);
        // the purchase, its collection, and the two payments
        assertThat(stats.getSecondLevelCacheHitCount()).isEqualTo(4);
      }
    }
  }

  public interface Payment {}

  @Entity
  @Cacheable
  @Cache(usage = CacheConcurrencyStrategy.READ_WRITE)
  public static class CashPayment implements Payment {
    @Id Long id;

    int amount;

    protected CashPayment() {}

    CashPayment(Long id, int amount) {
      this.id = id;
      this.amount = amount;
    }
  }

  @Entity
  @Cacheable
  @Cache(usage = CacheConcurrencyStrategy.READ_WRITE)
  public static class CardPayment implements Payment {
    @Id Long id;

    String number;

    protected CardPayment() {}

    CardPayment(Long id, String number) {
      this.id = id;
      this.number = number;
    }
  }

  @Entity
  @Cacheable
  @Cache(usage = CacheConcurrencyStrategy.READ_WRITE)
  public static class Purchase {
    @Id Long id;

    @Any(fetch = FetchType.LAZY)
    @AnyKeyJavaClass(Long.class)
    @AnyDiscriminatorValue(discriminator = "CASH", entity = CashPayment.class)
    @AnyDiscriminatorValue(discriminator = "CARD", entity = CardPayment.class)
    @Column(name = "payment_type")
    @JoinColumn(name = "payment_id")
    Payment payment;

    @ManyToAny
    @AnyKeyJavaClass(Long.class)
    @AnyDiscriminatorValue(discriminator = "CASH", entity = CashPayment.class)
    @AnyDiscriminatorValue(discriminator = "CARD", entity = CardPayment.class)
    @Column(name = "payment_type")
    @JoinTable(
        name = "purchase_history",
        joinColumns = @JoinColumn(name = "purchase_id"),
        inverseJoinColumns = @JoinColumn(name = "payment_id"))
    @Cache(usage = CacheConcurrencyStrategy.READ_WRITE)
    List<Payment> history = new ArrayList<>();

    protected Purchase() {}

    Purchase(Long id) {
      this.id = id;
    }
  }
}
