package dev.coalesce.buffer;

import static dev.coalesce.buffer.Boot.inTx;
import static dev.coalesce.buffer.Boot.queryLong;
import static org.assertj.core.api.Assertions.assertThat;

import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.TestDatabase;
import jakarta.persistence.Entity;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.DynamicUpdate;
import org.hibernate.annotations.OptimisticLockType;
import org.hibernate.annotations.OptimisticLocking;
import org.junit.jupiter.api.Test;

/**
 * With {@code @OptimisticLocking(type = ALL)} every column's loaded value guards an UPDATE. A
 * counter that moved in the database (a flush) must not make an edit of another field fail.
 */
@RealServices
class OptimisticLockingTest {

  @Entity(name = "GuardedPost")
  @Table(name = "guarded_post")
  @OptimisticLocking(type = OptimisticLockType.ALL)
  @DynamicUpdate
  public static class GuardedPost {
    @Id Long id;
    String title;
    @BufferedCounter long views;
  }

  @Test
  void aFlushedCounterDoesNotFailAnEditOfAnotherField(TestDatabase db) {
    EntityManagerFactory factory = Boot.boot(Boot.localSettings(db), GuardedPost.class);
    try {
      inTx(
          factory,
          em -> {
            GuardedPost post = new GuardedPost();
            post.id = 1L;
            post.title = "first";
            em.persist(post);
          });
      EntityManager editor = factory.createEntityManager();
      editor.getTransaction().begin();
      GuardedPost stale = editor.find(GuardedPost.class, 1L);

      inTx(factory, em -> em.find(GuardedPost.class, 1L).views += 5);
      CounterBuffer.of(factory).flush();
      assertThat(queryLong(db, "select views from guarded_post where id = 1")).isEqualTo(5);

      stale.title = "edited";
      editor.getTransaction().commit();
      editor.close();
      assertThat(queryLong(db, "select count(*) from guarded_post where title = 'edited'"))
          .isEqualTo(1);
      assertThat(queryLong(db, "select views from guarded_post where id = 1")).isEqualTo(5);
    } finally {
      factory.close();
    }
  }
}
