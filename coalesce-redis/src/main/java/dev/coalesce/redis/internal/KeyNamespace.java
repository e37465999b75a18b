package dev.coalesce.redis.internal;

import dev.coalesce.redis.CoalesceConfigurationException;
import dev.coalesce.redis.CoalesceSettings;

/**
 * Names every Redis key Coalesce writes. All keys start with {@code <namespace>:}, so one Redis can
 * serve several applications and a namespace can be listed or removed as a whole.
 *
 * <p>To keep keys on one Redis Cluster slot (so one Lua script may touch them all), give them the
 * same hash tag in one part, e.g. {@code key("buf", "{p3}", "live")}.
 */
public final class KeyNamespace {

  private final String name;

  public KeyNamespace(String name) {
    if (name == null || name.isBlank() || name.contains("{") || name.contains("}")) {
      throw new CoalesceConfigurationException(
          "Invalid value '"
              + name
              + "' for setting "
              + CoalesceSettings.NAMESPACE
              + ": expected a non-blank prefix without '{' or '}'");
    }
    this.name = name;
  }

  /** The namespace, as configured by {@link CoalesceSettings#NAMESPACE}. */
  public String name() {
    return name;
  }

  /** {@code <namespace>:part1:part2...}. */
  public String key(String... parts) {
    StringBuilder key = new StringBuilder(name);
    for (String part : parts) {
      key.append(':').append(part);
    }
    return key.toString();
  }

  /** A pattern matching every key of this namespace, for SCAN. */
  public String pattern() {
    return name + ":*";
  }

  @Override
  public String toString() {
    return name;
  }
}
