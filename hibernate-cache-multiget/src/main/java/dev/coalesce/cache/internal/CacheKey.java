package dev.coalesce.cache.internal;

import java.io.Serial;
import java.io.Serializable;

/**
 * A cache key: its stable text (the part of the Redis key after the region) and the id or natural
 * id it stands for. Equal keys have equal text.
 */
final class CacheKey implements Serializable {

  @Serial private static final long serialVersionUID = 1L;

  private final String text;
  private final Object id;

  CacheKey(String text, Object id) {
    this.text = text;
    this.id = id;
  }

  /** The key's text, e.g. {@code 3f9a01c2:42}. */
  public String text() {
    return text;
  }

  Object id() {
    return id;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof CacheKey that && text.equals(that.text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }

  @Override
  public String toString() {
    return text;
  }
}
