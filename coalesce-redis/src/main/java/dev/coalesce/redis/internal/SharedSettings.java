package dev.coalesce.redis.internal;

import dev.coalesce.redis.CoalesceSettings;
import java.util.Set;

/** The keys of {@link CoalesceSettings}, read by {@code coalesce-redis} itself. */
public final class SharedSettings implements KnownSettings {

  @Override
  public String module() {
    return "coalesce-redis";
  }

  @Override
  public String prefix() {
    return CoalesceSettings.PREFIX + "redis.";
  }

  @Override
  public Set<String> keys() {
    return Set.of(
        CoalesceSettings.REDIS_ADDRESS,
        CoalesceSettings.REDIS_CONFIG,
        CoalesceSettings.REDIS_CLIENT,
        CoalesceSettings.NAMESPACE,
        CoalesceSettings.METRICS_REGISTRY);
  }
}
