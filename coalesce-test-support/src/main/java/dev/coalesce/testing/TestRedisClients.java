package dev.coalesce.testing;

import static org.awaitility.Awaitility.await;

import java.net.ConnectException;
import java.time.Duration;
import java.util.function.Consumer;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.client.RedisConnectionException;
import org.redisson.client.RedisException;
import org.redisson.client.codec.StringCodec;
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
    return failingAfter(address, Duration.ofMillis(200));
  }

  /**
   * As {@link #fastFailing(String)} with {@code timeout} for connecting and for each command: a
   * timeout long enough to tell a call that waited for it from a slow machine.
   */
  public static RedissonClient failingAfter(String address, Duration timeout) {
    Config config = new Config();
    config
        .useSingleServer()
        .setAddress(address)
        .setConnectTimeout((int) timeout.toMillis())
        .setTimeout((int) timeout.toMillis())
        .setRetryAttempts(0)
        .setPingConnectionInterval(0);
    return Redisson.create(config);
  }

  /**
   * Runs {@code use} with a client of its own on {@code server} (2 s timeouts, no retries, as
   * {@link #failingAfter}), shuts that client down, then stops the server and starts it again on
   * the same port, empty. The address is then one at which this JVM's Redisson remembers scripts
   * that the server no longer has, as after a Redis restart (Redisson keeps that memory JVM-wide).
   */
  public static void usedThenRestarted(RedisServerProcess server, Consumer<RedissonClient> use) {
    RedissonClient client = failingAfter(server.address(), Duration.ofSeconds(2));
    try {
      use.accept(client);
    } finally {
      client.shutdown();
    }
    server.stop();
    server.startAgain();
  }

  /**
   * Waits until {@code client} knows its server is gone: a command fails for want of a connection
   * (nothing was sent), not with a timeout. Right after a server is killed, a pooled connection may
   * not have noticed yet, and a command on it times out instead, which code under test rightly
   * treats as "may have been applied".
   */
  public static void awaitUnreachable(RedissonClient client) {
    await("Redisson notices that its server is gone")
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> failsForWantOfConnection(client));
  }

  private static boolean failsForWantOfConnection(RedissonClient client) {
    try {
      client.getBucket("coalesce-test:probe", StringCodec.INSTANCE).isExists();
      return false;
    } catch (RedisException e) {
      for (Throwable cause = e; cause != null; cause = cause.getCause()) {
        if (cause instanceof ConnectException || cause instanceof RedisConnectionException) {
          return true;
        }
      }
      return false;
    }
  }
}
