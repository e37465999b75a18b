package dev.coalesce.redis.internal;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Set;
import java.util.TreeSet;

/**
 * The setting keys one Coalesce module reads, so that a key under {@value CoalesceSettings#PREFIX}
 * that no module reads (a typo, a module not on the class path) fails the boot instead of being
 * silently ignored. Each module lists its implementation in {@code
 * META-INF/services/dev.coalesce.redis.internal.KnownSettings}. For Coalesce's modules, not
 * applications.
 */
public interface KnownSettings {

  /** The module's artifact name, for messages: {@code hibernate-buffer}. */
  String module();

  /** The prefix of the keys this module owns, e.g. {@code hibernate.coalesce.buffer.}. */
  String prefix();

  /** Every fixed key of this module (also the candidates of a "did you mean"). */
  Set<String> keys();

  /**
   * Checks the values of this module's settings in {@code settings}, throwing a {@link
   * dev.coalesce.redis.CoalesceConfigurationException} that names the setting and what is allowed.
   * Called when the SessionFactory's Redis connection is created, before anything connects, so a
   * bad value fails the boot at once even when Redis does not answer. By default, nothing.
   *
   * @param redisConfigured whether a Redis setting was given (a module's default store depends on
   *     it), as {@link RedisConnection#isConfigured()} says
   */
  default void validate(java.util.Map<?, ?> settings, boolean redisConfigured) {}

  /** Whether {@code key} is a setting of this module; by default, one of {@link #keys()}. */
  default boolean knows(String key) {
    return keys().contains(key);
  }

  /**
   * The values of the public {@code String} constants of {@code settingsClass} that are keys under
   * {@code prefix} (not ending in a dot): a module's settings class is its list of keys.
   */
  static Set<String> constantsOf(Class<?> settingsClass, String prefix) {
    Set<String> keys = new TreeSet<>();
    for (Field field : settingsClass.getFields()) {
      if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class) {
        try {
          String value = (String) field.get(null);
          if (value != null && value.startsWith(prefix) && !value.endsWith(".")) {
            keys.add(value);
          }
        } catch (IllegalAccessException e) {
          throw new IllegalStateException("Cannot read " + field, e);
        }
      }
    }
    return Set.copyOf(keys);
  }
}
