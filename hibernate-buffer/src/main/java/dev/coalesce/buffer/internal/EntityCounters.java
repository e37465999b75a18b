package dev.coalesce.buffer.internal;

import java.util.List;
import org.hibernate.persister.entity.EntityPersister;

/**
 * The counters of one concrete entity type, with their positions in its state array, for the
 * capture listeners.
 */
final class EntityCounters {

  private final EntityPersister persister;
  private final RootCounters root;
  private final List<String> attributes;
  private final int[] positions;

  EntityCounters(
      EntityPersister persister, RootCounters root, List<String> attributes, int[] positions) {
    this.persister = persister;
    this.root = root;
    this.attributes = attributes;
    this.positions = positions;
  }

  public EntityPersister persister() {
    return persister;
  }

  public RootCounters root() {
    return root;
  }

  public int size() {
    return positions.length;
  }

  /** Position of counter {@code i} in the entity's state arrays. */
  public int position(int i) {
    return positions[i];
  }

  public boolean has(String attribute) {
    return attributes.contains(attribute);
  }

  public List<String> attributes() {
    return attributes;
  }

  public CounterKey key(int i, Object id) {
    return new CounterKey(root.name(), attributes.get(i), root.formatId(id));
  }

  public CounterKey key(String attribute, Object id) {
    return new CounterKey(root.name(), attribute, root.formatId(id));
  }

  /** A counter's value as a long; null (a wrapper never set) counts as 0. */
  public static long asLong(Object value) {
    return value instanceof Number number ? number.longValue() : 0L;
  }
}
