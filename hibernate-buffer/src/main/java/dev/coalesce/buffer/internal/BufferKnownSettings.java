package dev.coalesce.buffer.internal;

import dev.coalesce.buffer.BufferSettings;
import dev.coalesce.redis.internal.KnownSettings;
import java.util.Map;
import java.util.Set;

/** The keys of {@link BufferSettings}; public only for the ServiceLoader. */
public final class BufferKnownSettings implements KnownSettings {

  private static final String PREFIX = "hibernate.coalesce.buffer.";
  private static final Set<String> KEYS = KnownSettings.constantsOf(BufferSettings.class, PREFIX);

  @Override
  public String module() {
    return "hibernate-buffer";
  }

  @Override
  public String prefix() {
    return PREFIX;
  }

  @Override
  public Set<String> keys() {
    return KEYS;
  }

  @Override
  public void validate(Map<?, ?> settings, boolean redisConfigured) {
    BufferConfig.read(settings, redisConfigured);
  }
}
