package dev.coalesce.cache.internal;

import org.hibernate.persister.entity.EntityPersister;
import org.hibernate.persister.internal.StandardPersisterClassResolver;

/** Hibernate's persister choice, with persisters whose multi-id loader prefetches. */
final class MultigetPersisterClassResolver extends StandardPersisterClassResolver {

  @Override
  public Class<? extends EntityPersister> singleTableEntityPersister() {
    return MultigetSingleTableEntityPersister.class;
  }

  @Override
  public Class<? extends EntityPersister> joinedSubclassEntityPersister() {
    return MultigetJoinedSubclassEntityPersister.class;
  }

  @Override
  public Class<? extends EntityPersister> unionSubclassEntityPersister() {
    return MultigetUnionSubclassEntityPersister.class;
  }
}
