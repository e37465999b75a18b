package dev.coalesce.cache.internal;

import dev.coalesce.cache.CacheSettings;
import dev.coalesce.redis.internal.KnownSettings;
import dev.coalesce.redis.internal.SettingsReader;
import java.util.Map;
import java.util.Set;

/**
 * The keys of {@link CacheSettings}, and the per-region {@code
 * hibernate.coalesce.cache.region.<region>.ttl}; public only for the ServiceLoader.
 */
public final class CacheKnownSettings implements KnownSettings {

  private static final Set<String> KEYS =
      KnownSettings.constantsOf(CacheSettings.class, CacheSettings.PREFIX);

  @Override
  public String module() {
    return "hibernate-cache-multiget";
  }

  @Override
  public String prefix() {
    return CacheSettings.PREFIX;
  }

  @Override
  public Set<String> keys() {
    return KEYS;
  }

  @Override
  public void validate(Map<?, ?> settings, boolean redisConfigured) {
    CacheConfig.read(new SettingsReader(settings), redisConfigured);
  }

  @Override
  public boolean knows(String key) {
    return KEYS.contains(key)
        || (key.startsWith(CacheSettings.REGION_PREFIX)
            && key.endsWith(CacheSettings.REGION_TTL_SUFFIX)
            && key.length()
                > CacheSettings.REGION_PREFIX.length() + CacheSettings.REGION_TTL_SUFFIX.length());
  }
}
