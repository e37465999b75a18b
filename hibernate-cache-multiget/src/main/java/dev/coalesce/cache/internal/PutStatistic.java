package dev.coalesce.cache.internal;

import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.hibernate.metamodel.model.domain.NavigableRole;
import org.hibernate.stat.spi.StatisticsImplementor;

/**
 * The put that Hibernate's statistics count for a put-from-load of one access: entity, collection
 * or natural id, with the role and region name Hibernate itself passes.
 *
 * <p>Hibernate counts a put when {@code putFromLoad} returns true, and uses that boolean for
 * nothing else (statistics and its cache-put event). A write-back buffered in the session's {@link
 * TransactionCache} has no outcome yet when {@code putFromLoad} returns: it returns false, and the
 * put is counted here when the store's reply says it was stored.
 */
record PutStatistic(Kind kind, NavigableRole role, String regionName) {

  enum Kind {
    ENTITY,
    COLLECTION,
    NATURAL_ID
  }

  static PutStatistic entity(NavigableRole rootEntity, String regionName) {
    return new PutStatistic(Kind.ENTITY, rootEntity, regionName);
  }

  static PutStatistic collection(NavigableRole role, String regionName) {
    return new PutStatistic(Kind.COLLECTION, role, regionName);
  }

  static PutStatistic naturalId(NavigableRole rootEntity, String regionName) {
    return new PutStatistic(Kind.NATURAL_ID, rootEntity, regionName);
  }

  /** Counts one put of a value the store stored, if the session's factory keeps statistics. */
  void count(SharedSessionContractImplementor session) {
    StatisticsImplementor statistics = session.getFactory().getStatistics();
    if (!statistics.isStatisticsEnabled()) {
      return;
    }
    switch (kind) {
      case ENTITY -> statistics.entityCachePut(role, regionName);
      case COLLECTION -> statistics.collectionCachePut(role, regionName);
      case NATURAL_ID -> statistics.naturalIdCachePut(role, regionName);
    }
  }
}
