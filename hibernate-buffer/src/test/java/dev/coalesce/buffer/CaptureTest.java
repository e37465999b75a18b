package dev.coalesce.buffer;

import static dev.coalesce.buffer.Boot.inTx;
import static dev.coalesce.buffer.Boot.inTxGet;
import static dev.coalesce.buffer.Boot.queryLong;
import static org.assertj.core.api.Assertions.assertThat;

import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.TestDatabase;
import dev.coalesce.testing.TestRedis;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Issue items 1 and 2: what the capture path turns into deltas, and what it must not. */
@RealServices
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CaptureTest {

  private final TestDatabase db;
  private final SqlLog sql = new SqlLog();
  private EntityManagerFactory factory;
  private CounterBuffer buffer;
  private long nextId = 1;

  CaptureTest(TestDatabase db) {
    this.db = db;
  }

  @BeforeAll
  void boot(TestRedis redis) {
    Map<String, Object> settings = Boot.redisSettings(db, redis);
    settings.put("hibernate.session_factory.statement_inspector", sql);
    factory = Boot.boot(settings, Post.class);
    buffer = CounterBuffer.of(factory);
    assertThat(CounterBuffer.of(factory.unwrap(org.hibernate.SessionFactory.class)))
        .isSameAs(buffer);
  }

  @AfterAll
  void close() {
    factory.close();
  }

  @BeforeEach
  void clearLog() {
    sql.clear();
  }

  private long newPost() {
    long id = nextId++;
    inTx(
        factory,
        em -> {
          em.persist(new Post(id, "post " + id));
        });
    sql.clear();
    return id;
  }

  private long dbViews(long id) {
    return queryLong(db, "select views from post where id = " + id);
  }

  private long dbVersion(long id) {
    return queryLong(db, "select version from post where id = " + id);
  }

  @Test
  void aCounterOnlyChangeIssuesNoUpdateAndKeepsTheVersion() {
    long id = newPost();
    long version = dbVersion(id);
    inTx(
        factory,
        em -> {
          Post post = em.find(Post.class, id);
          post.views += 3;
          post.likes += 2;
        });

    assertThat(sql.updates()).isEmpty();
    assertThat(dbVersion(id)).isEqualTo(version);
    assertThat(dbViews(id)).isZero();
    assertThat(buffer.pending(Post.class, id, "views")).isEqualTo(3);
    assertThat(buffer.pending(Post.class, id, "likes")).isEqualTo(2);

    buffer.flush();
    assertThat(dbViews(id)).isEqualTo(3);
    assertThat(queryLong(db, "select likes from post where id = " + id)).isEqualTo(2);
    assertThat(buffer.pending(Post.class, id, "views")).isZero();
  }

  @Test
  void aCounterPlusAnotherFieldUpdatesWithoutTheCounterColumn() {
    long id = newPost();
    long version = dbVersion(id);
    inTx(
        factory,
        em -> {
          Post post = em.find(Post.class, id);
          post.views += 4;
          post.title = "renamed";
        });

    assertThat(sql.updates()).hasSize(1);
    assertThat(sql.updates().get(0))
        .contains("title")
        .doesNotContain("views")
        .doesNotContain("likes");
    assertThat(dbVersion(id)).isEqualTo(version + 1);
    buffer.flush();
    assertThat(dbViews(id)).isEqualTo(4);
  }

  @Test
  void twoFlushesInOneTransactionCountTheDeltaOnce() {
    long id = newPost();
    inTx(
        factory,
        em -> {
          Post post = em.find(Post.class, id);
          post.views += 2;
          em.flush();
          em.flush();
          post.views += 3;
          em.flush();
        });
    assertThat(buffer.pending(Post.class, id, "views")).isEqualTo(5);
    buffer.flush();
    assertThat(dbViews(id)).isEqualTo(5);
  }

  @Test
  void rollbackBuffersNothing() {
    long id = newPost();
    EntityManager em = factory.createEntityManager();
    em.getTransaction().begin();
    em.find(Post.class, id).views += 9;
    em.flush();
    buffer.increment(em, Post.class, id, "views", 100);
    em.getTransaction().rollback();
    em.close();

    assertThat(buffer.pending(Post.class, id, "views")).isZero();
    buffer.flush();
    assertThat(dbViews(id)).isZero();
  }

  @Test
  void persistInsertsTheGivenValueAndBuffersNothing() {
    long id = nextId++;
    inTx(
        factory,
        em -> {
          Post post = new Post(id, "new");
          post.views = 7;
          em.persist(post);
        });
    assertThat(dbViews(id)).isEqualTo(7);
    assertThat(buffer.pending(Post.class, id, "views")).isZero();
    buffer.flush();
    assertThat(dbViews(id)).isEqualTo(7);
  }

  @Test
  void aCounterSetAfterPersistInTheSameTransactionEndsExact() {
    long id = nextId++;
    inTx(
        factory,
        em -> {
          Post post = new Post(id, "new");
          em.persist(post);
          post.views = 5;
        });
    buffer.flush();
    assertThat(dbViews(id)).isEqualTo(5);

    long other = nextId++;
    inTx(
        factory,
        em -> {
          Post post = new Post(other, "flushed in between");
          em.persist(post);
          em.flush();
          post.views = 6;
          em.flush();
          post.views = 8;
        });
    buffer.flush();
    assertThat(dbViews(other)).isEqualTo(8);
  }

  @Test
  void mergeOfAStaleDetachedCopyCreatesNoDelta() {
    long id = newPost();
    Post detached = inTxGet(factory, em -> em.find(Post.class, id));
    inTx(
        factory,
        em -> {
          em.find(Post.class, id).views += 10;
        });
    buffer.flush();
    assertThat(dbViews(id)).isEqualTo(10);

    detached.title = "edited while detached";
    inTx(
        factory,
        em -> {
          em.merge(detached);
        });
    assertThat(buffer.pending(Post.class, id, "views")).isZero();
    buffer.flush();
    assertThat(dbViews(id)).isEqualTo(10);
    assertThat(
            queryLong(
                db,
                "select count(*) from post where id = "
                    + id
                    + " and title = 'edited while detached'"))
        .isEqualTo(1);
  }

  @Test
  void mergeOntoAManagedInstanceKeepsItsUnflushedIncrement() {
    long id = newPost();
    Post detached = inTxGet(factory, em -> em.find(Post.class, id));
    inTx(
        factory,
        em -> {
          em.find(Post.class, id).views += 2;
          em.merge(detached);
        });
    buffer.flush();
    assertThat(dbViews(id)).isEqualTo(2);
  }

  @Test
  void refreshCreatesNoDelta() {
    long id = newPost();
    inTx(
        factory,
        em -> {
          Post post = em.find(Post.class, id);
          post.views += 5;
          em.refresh(post);
          assertThat(post.views).isZero();
        });
    assertThat(buffer.pending(Post.class, id, "views")).isZero();
  }

  @Test
  void removeOfARowWithPendingDeltasDropsThemAtFlush() {
    long id = newPost();
    long kept = newPost();
    inTx(
        factory,
        em -> {
          em.find(Post.class, id).views += 3;
          em.find(Post.class, kept).views += 1;
        });
    inTx(
        factory,
        em -> {
          em.remove(em.find(Post.class, id));
        });
    assertThat(buffer.pending(Post.class, id, "views")).isEqualTo(3);

    assertThat(buffer.flush()).isEqualTo(1);
    assertThat(buffer.pending(Post.class, id, "views")).isZero();
    assertThat(queryLong(db, "select count(*) from post where id = " + id)).isZero();
    assertThat(dbViews(kept)).isEqualTo(1);
  }

  @Test
  void incrementOutsideATransactionTakesEffectAtOnce() {
    long id = newPost();
    EntityManager em = factory.createEntityManager();
    buffer.increment(em, Post.class, id, "views", 11);
    assertThat(buffer.pending(Post.class, id, "views")).isEqualTo(11);
    em.getTransaction().begin();
    buffer.increment(em, Post.class, id, "views", 1);
    assertThat(buffer.pending(Post.class, id, "views")).isEqualTo(11);
    em.getTransaction().commit();
    em.close();
    assertThat(buffer.pending(Post.class, id, "views")).isEqualTo(12);
    buffer.flush();
    assertThat(dbViews(id)).isEqualTo(12);
  }
}
