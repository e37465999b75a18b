package dev.coalesce.redis.internal;

import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.hibernate.service.Service;

/**
 * The entities whose rows have columns written outside Hibernate's own UPDATEs: {@code
 * hibernate-buffer}'s flush adds to {@code @BufferedCounter} columns with {@code UPDATE t SET c = c
 * + ?}. A session that loaded such a row before a flush still holds the old counter, and Hibernate
 * hands that whole state to the second-level cache after its own update of other columns; a cache
 * must therefore not take a session's state of these entities as the row's current value (the
 * multi-get cache releases the entry instead, so the next read loads the row).
 *
 * <p>One per service registry (registered by {@link RedisServiceContributor}); {@code
 * hibernate-buffer} fills it while the SessionFactory boots, the cache reads it afterwards.
 */
public final class BufferedCounterEntities implements Service {

  private final Set<String> entityNames = ConcurrentHashMap.newKeySet();

  /** Records that these entities (by entity name) have buffered counters. */
  public void addAll(Collection<String> names) {
    entityNames.addAll(names);
  }

  /** Whether any of these entities (by entity name) has buffered counters. */
  public boolean containsAny(Collection<String> names) {
    for (String name : names) {
      if (entityNames.contains(name)) {
        return true;
      }
    }
    return false;
  }
}
