package dev.coalesce.buffer.internal;

import dev.coalesce.buffer.BufferedCounter;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.persister.entity.EntityPersister;

/**
 * The counter named by an application's call ({@code CounterBuffer.increment/pending}): entity
 * class, id and attribute checked against the factory's counters, with a message that names what is
 * wrong and what is allowed.
 */
final class CounterKeys {

  private CounterKeys() {}

  static CounterKey of(
      SessionFactoryImplementor factory,
      CounterModel model,
      Class<?> entity,
      Object id,
      String attribute) {
    if (entity == null || attribute == null) {
      throw new IllegalArgumentException(
          "Counter "
              + (entity == null ? "null" : entity.getName())
              + "."
              + attribute
              + ": the entity class and the attribute name must not be null");
    }
    EntityPersister persister = factory.getMappingMetamodel().findEntityDescriptor(entity);
    if (persister == null) {
      throw new IllegalArgumentException(
          entity.getName() + " is not an entity of this SessionFactory");
    }
    EntityCounters counters = model.forEntity(persister.getEntityName());
    if (counters == null || !counters.has(attribute)) {
      throw new IllegalArgumentException(
          entity.getSimpleName()
              + "."
              + attribute
              + " is not a @"
              + BufferedCounter.class.getSimpleName()
              + " attribute; "
              + (counters == null
                  ? entity.getSimpleName() + " has no buffered counters"
                  : "the buffered counters of "
                      + entity.getSimpleName()
                      + " are "
                      + counters.attributes()));
    }
    if (id == null || !counters.root().isIdInstance(id)) {
      throw new IllegalArgumentException(
          "Id "
              + id
              + (id == null ? "" : " of type " + id.getClass().getName())
              + " for "
              + entity.getSimpleName()
              + "."
              + attribute
              + ": expected a non-null "
              + counters.root().idClass().getName());
    }
    return counters.key(attribute, id);
  }
}
