package dev.coalesce.testing;

import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/** Redisson clients for tests that stop, block or count a Redis. */
public final class TestRedisClients {

  private TestRedisClients() {}

  /**
   * A client for the server (or {@link CountingRedisProxy}) at {@code address} that gives up fast
   * (200 ms timeouts, no retries), so outage tests do not wait on Redisson's defaults, and sends no
   * background PINGs, so they never show among counted round trips. The caller shuts it down.
   */
  public static RedissonClient fastFailing(String address) {
    Config config = new Config();
    config
        .useSingleServer()
        .setAddress(address)
        .setConnectTimeout(200)
        .setTimeout(200)
        .setRetryAttempts(0)
        .setPingConnectionInterval(0);
    return Redisson.create(config);
  }
}
