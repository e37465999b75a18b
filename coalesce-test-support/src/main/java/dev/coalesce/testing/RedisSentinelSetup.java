package dev.coalesce.testing;

import static org.awaitility.Awaitility.await;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A primary with one replica, watched by three Sentinels (quorum 2), all on free ports of 127.0.0.1
 * and started from the {@code redis-server} binary: for failover tests. Stopped by their own
 * processes on {@link #close()}.
 */
public final class RedisSentinelSetup implements AutoCloseable {

  /** The name the Sentinels know the primary by. */
  public static final String MASTER_NAME = "coalesce";

  private final List<RedisServerProcess> servers;
  private final List<RedisServerProcess> sentinels;

  private RedisSentinelSetup(List<RedisServerProcess> servers, List<RedisServerProcess> sentinels) {
    this.servers = servers;
    this.sentinels = sentinels;
  }

  /** Starts the primary, its replica and three Sentinels; returns once all agree and sync. */
  public static RedisSentinelSetup start() {
    List<RedisServerProcess> servers = new ArrayList<>();
    List<RedisServerProcess> sentinels = new ArrayList<>();
    try {
      RedisServerProcess primary = RedisServerProcess.start();
      servers.add(primary);
      servers.add(RedisServerProcess.startReplicaOf(primary));
      for (int i = 0; i < 3; i++) {
        sentinels.add(RedisServerProcess.startSentinel(MASTER_NAME, primary, 2));
      }
      RedisSentinelSetup setup = new RedisSentinelSetup(servers, sentinels);
      await("a replica in sync and every Sentinel seeing it")
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(100))
          .until(setup::ready);
      return setup;
    } catch (RuntimeException e) {
      sentinels.forEach(RedisServerProcess::close);
      servers.forEach(RedisServerProcess::close);
      throw e;
    }
  }

  private boolean ready() {
    RedisServerProcess primary = primary();
    if (primary == null) {
      return false;
    }
    try (Resp resp = new Resp(primary.host(), primary.port())) {
      if (!String.valueOf(resp.command("INFO", "replication")).contains("state=online")) {
        return false;
      }
    }
    for (RedisServerProcess sentinel : sentinels) {
      try (Resp resp = new Resp(sentinel.host(), sentinel.port())) {
        Object replicas = resp.command("SENTINEL", "REPLICAS", MASTER_NAME);
        if (!(replicas instanceof List<?> list) || list.isEmpty()) {
          return false;
        }
      }
    }
    return true;
  }

  /** The running server that reports the master role now, or null during a failover. */
  public RedisServerProcess primary() {
    for (RedisServerProcess server : servers) {
      if (server.isRunning()) {
        try (Resp resp = new Resp(server.host(), server.port())) {
          Object role = resp.command("ROLE");
          if (role instanceof List<?> list && "master".equals(String.valueOf(list.get(0)))) {
            return server;
          }
        } catch (UncheckedIOException e) {
          // starting or dying: not the primary now
        }
      }
    }
    return null;
  }

  /** The running server other than the primary (the replica Sentinel would promote), or null. */
  public RedisServerProcess replica() {
    RedisServerProcess primary = primary();
    for (RedisServerProcess server : servers) {
      if (server.isRunning() && server != primary) {
        return server;
      }
    }
    return null;
  }

  /**
   * Whether a server other than {@code old} is the primary now and a majority of the Sentinels name
   * it (the last one may learn it a moment later; clients ask any of them).
   */
  public boolean failedOverFrom(RedisServerProcess old) {
    RedisServerProcess primary = primary();
    if (primary == null || primary == old) {
      return false;
    }
    int agreeing = 0;
    for (RedisServerProcess sentinel : sentinels) {
      try (Resp resp = new Resp(sentinel.host(), sentinel.port())) {
        Object address = resp.command("SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER_NAME);
        if (address instanceof List<?> list
            && String.valueOf(primary.port()).equals(String.valueOf(list.get(1)))) {
          agreeing++;
        }
      } catch (UncheckedIOException e) {
        // a Sentinel that does not answer does not agree
      }
    }
    return agreeing * 2 > sentinels.size();
  }

  /**
   * A Redisson YAML configuration for this setup (written to a new temporary file), for {@code
   * hibernate.coalesce.redis.config}.
   */
  public Path redissonYaml() {
    StringBuilder yaml =
        new StringBuilder("sentinelServersConfig:\n  masterName: \"" + MASTER_NAME + "\"\n");
    yaml.append("  checkSentinelsList: false\n  sentinelAddresses:\n");
    for (RedisServerProcess sentinel : sentinels) {
      yaml.append("    - \"").append(sentinel.address()).append("\"\n");
    }
    return RedissonYaml.write("coalesce-sentinel", yaml.toString());
  }

  @Override
  public void close() {
    sentinels.forEach(RedisServerProcess::close);
    servers.forEach(RedisServerProcess::close);
  }
}
