package dev.coalesce.cache;

import jakarta.persistence.EntityManager;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hibernate.Session;
import org.hibernate.SessionFactory;
import org.hibernate.engine.spi.SessionFactoryImplementor;

/**
 * Loads many entities by id in one call: one multi-get from the second-level cache, one SQL query
 * for the misses, one write-back of what the query found (the multi-get cache's {@code
 * session.findMultiple} path).
 */
public final class MultiGet {

  private MultiGet() {}

  /**
   * Waits until Redis has answered every write-back that {@code factory}'s loads have sent so far,
   * at most 2 seconds. A load does not wait for its write-backs, and Hibernate's put statistics
   * count a put when Redis answers it: a test that reads them right after a load calls this first.
   * Returns at once for a factory without the {@code multiget} cache or with the {@code local}
   * store.
   *
   * @return true if every write-back has its answer; false if some had none after 2 seconds (Redis
   *     stalled or unreachable: they are then at worst not cached)
   */
  public static boolean awaitWriteBacks(SessionFactory factory) {
    if (factory.unwrap(SessionFactoryImplementor.class).getCache().getRegionFactory()
        instanceof MultigetRegionFactory multiget) {
      return multiget.runtime().awaitWriteBacks();
    }
    return true;
  }

  /**
   * The entities of {@code type} with the given ids, in the order of {@code ids}; ids with no row
   * are left out, and a repeated id appears once.
   *
   * @throws IllegalArgumentException if {@code ids} contains {@code null}
   */
  public static <T> Map<Object, T> byIds(EntityManager em, Class<T> type, Collection<?> ids) {
    List<Object> distinct = new ArrayList<>(ids.size());
    java.util.Set<Object> seen = new java.util.HashSet<>();
    for (Object id : ids) {
      if (id == null) {
        throw new IllegalArgumentException(
            "MultiGet.byIds(" + type.getSimpleName() + "): ids must not contain null");
      }
      if (seen.add(id)) {
        distinct.add(id);
      }
    }
    Map<Object, T> found = new LinkedHashMap<>();
    if (distinct.isEmpty()) {
      return found;
    }
    List<T> loaded = em.unwrap(Session.class).findMultiple(type, distinct);
    for (int i = 0; i < distinct.size(); i++) {
      T entity = loaded.get(i);
      if (entity != null) {
        found.put(distinct.get(i), entity);
      }
    }
    return found;
  }
}
