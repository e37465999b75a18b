package dev.coalesce.buffer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coalesce.buffer.Post;
import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.TestDatabase;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.hibernate.Session;
import org.hibernate.SessionFactory;
import org.hibernate.cfg.Configuration;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.hibernate.jpa.HibernatePersistenceConfiguration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A session that Hibernate closes before its transaction completes leaves nothing behind in the
 * per-transaction deltas, and a session used for several transactions still hands over each
 * committed one. (With the JPA bootstrap, Hibernate defers closing a session whose transaction is
 * active and not marked for rollback until that transaction completes, so only a native bootstrap
 * closes it at once.)
 */
@RealServices
class SessionCloseTest {

  private static final CounterKey KEY = new CounterKey(Post.class.getName(), "views", "1");

  private final List<Map<CounterKey, Long>> handedOver = new ArrayList<>();
  private final TransactionDeltas deltas =
      new TransactionDeltas((committed, increments) -> handedOver.add(Map.copyOf(committed)));
  private EntityManagerFactory factory;
  private SessionFactory nativeFactory;

  @BeforeEach
  void boot(TestDatabase db) {
    factory =
        new HibernatePersistenceConfiguration("session-close-test")
            .managedClasses(Post.class)
            .properties(new HashMap<>(db.hibernateProperties()))
            .createEntityManagerFactory();
    Configuration configuration = new Configuration().addAnnotatedClass(Post.class);
    db.hibernateProperties().forEach(configuration.getProperties()::put);
    nativeFactory = configuration.buildSessionFactory();
  }

  @AfterEach
  void close() {
    nativeFactory.close();
    factory.close();
  }

  @Test
  void aNativeSessionClosedWithItsTransactionOpenIsForgotten() {
    Session session = nativeFactory.openSession();
    session.beginTransaction();
    deltas.add((SharedSessionContractImplementor) session, KEY, 3);
    assertThat(deltas.openTransactions()).isEqualTo(1);

    session.close();

    assertThat(deltas.openTransactions()).isZero();
    assertThat(handedOver).isEmpty();
  }

  @Test
  void anEntityManagerClosedWithItsTransactionMarkedForRollbackIsForgotten() {
    EntityManager em = factory.createEntityManager();
    em.getTransaction().begin();
    deltas.add(em.unwrap(SharedSessionContractImplementor.class), KEY, 3);
    em.getTransaction().setRollbackOnly();

    em.close();

    assertThat(deltas.openTransactions()).isZero();
    assertThat(handedOver).isEmpty();
  }

  @Test
  void aSessionUsedForSeveralTransactionsHandsOverEachCommitAndIsForgottenAtClose() {
    try (Session session = nativeFactory.openSession()) {
      for (long delta = 1; delta <= 3; delta++) {
        session.beginTransaction();
        deltas.add((SharedSessionContractImplementor) session, KEY, delta);
        session.getTransaction().commit();
      }
      session.beginTransaction();
      deltas.add((SharedSessionContractImplementor) session, KEY, 10);
      assertThat(deltas.openTransactions()).isEqualTo(1);
    }
    assertThat(handedOver).containsExactly(Map.of(KEY, 1L), Map.of(KEY, 2L), Map.of(KEY, 3L));
    assertThat(deltas.openTransactions()).isZero();
  }
}
