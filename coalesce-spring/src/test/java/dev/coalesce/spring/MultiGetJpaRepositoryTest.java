package dev.coalesce.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.TestDatabase;
import jakarta.persistence.Cacheable;
import jakarta.persistence.Entity;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.Id;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.hibernate.SessionFactory;
import org.hibernate.annotations.Cache;
import org.hibernate.annotations.CacheConcurrencyStrategy;
import org.hibernate.jpa.HibernatePersistenceConfiguration;
import org.hibernate.stat.Statistics;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.support.JpaRepositoryFactory;

/**
 * The repository base class as Spring Data's factory builds it, on PostgreSQL with the multi-get
 * cache's in-JVM store (no Redis setting): order, repeats, missing ids, and that a cached id costs
 * no SQL where Spring Data's own {@code findAllById} always queries.
 */
@RealServices
class MultiGetJpaRepositoryTest {

  @Entity(name = "Post")
  @Cacheable
  @Cache(usage = CacheConcurrencyStrategy.READ_WRITE)
  static class Post {
    @Id Long id;
    String title;

    Post() {}

    Post(Long id, String title) {
      this.id = id;
      this.title = title;
    }
  }

  interface PostRepository extends JpaRepository<Post, Long> {}

  private static EntityManagerFactory emf;
  private static Statistics statistics;
  private EntityManager em;

  @BeforeAll
  static void boot(TestDatabase database) {
    Map<String, Object> settings = database.hibernateProperties();
    settings.put("hibernate.cache.use_second_level_cache", "true");
    settings.put("hibernate.cache.region.factory_class", "multiget");
    settings.put("hibernate.generate_statistics", "true");
    emf =
        new HibernatePersistenceConfiguration("coalesce-spring")
            .managedClasses(Post.class)
            .properties(settings)
            .createEntityManagerFactory();
    statistics = emf.unwrap(SessionFactory.class).getStatistics();
    EntityManager setup = emf.createEntityManager();
    setup.getTransaction().begin();
    for (long id = 1; id <= 20; id++) {
      setup.persist(new Post(id, "post " + id));
    }
    setup.getTransaction().commit();
    setup.close();
  }

  @AfterAll
  static void close() {
    emf.close();
  }

  @BeforeEach
  void openSession() {
    em = emf.createEntityManager();
    em.getTransaction().begin();
  }

  @AfterEach
  void closeSession() {
    em.getTransaction().rollback();
    em.close();
  }

  private PostRepository repository(Class<?> baseClass) {
    JpaRepositoryFactory factory = new JpaRepositoryFactory(em);
    factory.setRepositoryBaseClass(baseClass);
    return factory.getRepository(PostRepository.class);
  }

  @Test
  void resultFollowsTheIdsGivenWithRepeatsOnceAndMissingIdsLeftOut() {
    List<Post> found =
        repository(MultiGetJpaRepository.class).findAllById(List.of(7L, 3L, 99L, 7L, 12L));

    assertThat(found).extracting(post -> post.id).containsExactly(7L, 3L, 12L);
    assertThat(found).extracting(post -> post.title).containsExactly("post 7", "post 3", "post 12");
  }

  @Test
  void cachedIdsCostNoSqlWhereSpringDatasOwnFindAllByIdQueries() {
    List<Long> ids = new ArrayList<>();
    for (long id = 1; id <= 20; id++) {
      ids.add(id);
    }
    warm(ids);

    long sql = statistics.getPrepareStatementCount();
    long hits = statistics.getSecondLevelCacheHitCount();
    List<Post> viaCache = repository(MultiGetJpaRepository.class).findAllById(ids);
    assertThat(viaCache).hasSize(20);
    assertThat(statistics.getPrepareStatementCount() - sql).as("SQL statements").isZero();
    assertThat(statistics.getSecondLevelCacheHitCount() - hits).isEqualTo(20);

    em.clear();
    sql = statistics.getPrepareStatementCount();
    List<Post> viaQuery =
        repository(org.springframework.data.jpa.repository.support.SimpleJpaRepository.class)
            .findAllById(ids);
    assertThat(viaQuery).hasSize(20);
    assertThat(statistics.getPrepareStatementCount() - sql).as("SQL statements").isOne();
  }

  @Test
  void nullIdsAreRefusedAndNoIdsFindNothing() {
    PostRepository posts = repository(MultiGetJpaRepository.class);

    assertThatThrownBy(() -> posts.findAllById(Arrays.asList(1L, null)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must not contain null");
    assertThat(posts.findAllById(List.of())).isEmpty();
  }

  private static void warm(List<Long> ids) {
    EntityManager other = emf.createEntityManager();
    try {
      other.getTransaction().begin();
      for (Long id : ids) {
        other.find(Post.class, id);
      }
      other.getTransaction().commit();
    } finally {
      other.close();
    }
  }
}
