package dev.coalesce.buffer.internal;

/**
 * One counter of one row: the root entity's name, the attribute and the id in its string form.
 * Every counter of a row lands in the same partition, so its flush can update the row once.
 */
record CounterKey(String entity, String attribute, String id) {

  private static final char SEPARATOR = '|';

  public CounterKey {
    if (entity.indexOf(SEPARATOR) >= 0 || attribute.indexOf(SEPARATOR) >= 0) {
      throw new IllegalArgumentException(
          "'|' in entity or attribute name: " + entity + "." + attribute);
    }
  }

  /** Which of {@code partitions} partitions this row belongs to; stable across JVMs. */
  public int partition(int partitions) {
    return Math.floorMod((entity + SEPARATOR + id).hashCode(), partitions);
  }

  /** The row this counter belongs to. */
  public String row() {
    return entity + SEPARATOR + id;
  }

  /** {@code entity|attribute|id}: the field name in Redis. The id goes last: it may contain '|'. */
  public String encode() {
    return entity + SEPARATOR + attribute + SEPARATOR + id;
  }

  /** Inverse of {@link #encode()}, or null for a field that is not a counter. */
  public static CounterKey decode(String field) {
    int first = field.indexOf(SEPARATOR);
    int second = first < 0 ? -1 : field.indexOf(SEPARATOR, first + 1);
    if (second < 0) {
      return null;
    }
    return new CounterKey(
        field.substring(0, first), field.substring(first + 1, second), field.substring(second + 1));
  }

  @Override
  public String toString() {
    return entity + "." + attribute + "#" + id;
  }
}
