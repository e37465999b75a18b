package dev.coalesce.spring;

import dev.coalesce.cache.MultiGet;
import jakarta.persistence.EntityManager;
import java.util.ArrayList;
import java.util.List;
import org.springframework.data.jpa.repository.support.JpaEntityInformation;
import org.springframework.data.jpa.repository.support.SimpleJpaRepository;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.util.Assert;

/**
 * A Spring Data JPA repository base class whose {@link #findAllById} reads the second-level cache
 * in one round trip. Spring Data's own {@code findAllById} runs the JPQL query {@code where id in
 * :ids}, which never reads the second-level cache; this one loads through {@link MultiGet#byIds}:
 * one multi-get from the cache, one SQL query for the misses only, one write-back of what the query
 * found. Every other method is {@link SimpleJpaRepository}'s.
 *
 * <p>Switch it on for all repositories, which stay plain {@code JpaRepository} interfaces:
 *
 * <pre>{@code
 * @EnableJpaRepositories(repositoryBaseClass = MultiGetJpaRepository.class)
 * }</pre>
 *
 * <p>Differences from Spring Data's {@code findAllById}: the result is in the order of the ids
 * given (a repeated id appears once, an id with no row is left out), and an entity already in the
 * persistence context is returned as it is there.
 *
 * @param <T> the entity type
 * @param <ID> its id type
 */
public class MultiGetJpaRepository<T, ID> extends SimpleJpaRepository<T, ID> {

  private final EntityManager entityManager;

  /** Called by Spring Data's repository factory. */
  public MultiGetJpaRepository(
      JpaEntityInformation<T, ?> entityInformation, EntityManager entityManager) {
    super(entityInformation, entityManager);
    this.entityManager = entityManager;
  }

  @Override
  @Transactional(readOnly = true)
  public List<T> findAllById(Iterable<ID> ids) {
    Assert.notNull(ids, "The given Iterable of ids must not be null");
    List<Object> idList = new ArrayList<>();
    for (ID id : ids) {
      Assert.notNull(id, "The given ids must not contain null");
      idList.add(id);
    }
    if (idList.isEmpty()) {
      return new ArrayList<>();
    }
    return new ArrayList<>(MultiGet.byIds(entityManager, getDomainClass(), idList).values());
  }
}
