package dev.coalesce.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/**
 * A Redis Cluster of this test's own: {@code masters} masters on free ports of 127.0.0.1, the 16384
 * slots spread over them by {@code redis-cli --cluster create}, no replicas. Each master is a
 * {@link RedisServerProcess}, so a test can pause or kill one. Needs {@code redis-cli} on the PATH
 * (set {@code COALESCE_REDIS_CLI} to use another binary).
 */
public final class RedisCluster implements AutoCloseable {

  private final List<RedisServerProcess> masters;

  private RedisCluster(List<RedisServerProcess> masters) {
    this.masters = masters;
  }

  /**
   * Starts the masters, joins them and returns once the cluster reports {@code cluster_state:ok}.
   */
  public static RedisCluster start(int masters) {
    List<RedisServerProcess> nodes = new ArrayList<>();
    try {
      for (int i = 0; i < masters; i++) {
        nodes.add(RedisServerProcess.startClusterNode());
      }
      List<String> command =
          new ArrayList<>(
              List.of(
                  System.getenv().getOrDefault("COALESCE_REDIS_CLI", "redis-cli"), "--cluster"));
      command.add("create");
      for (RedisServerProcess node : nodes) {
        command.add(node.host() + ":" + node.port());
      }
      command.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
      run(command);
      RedisCluster cluster = new RedisCluster(nodes);
      await("cluster_state:ok on every master")
          .atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(100))
          .until(cluster::healthy);
      return cluster;
    } catch (RuntimeException e) {
      nodes.forEach(RedisServerProcess::close);
      throw e;
    }
  }

  private boolean healthy() {
    for (RedisServerProcess node : masters) {
      try (Resp resp = new Resp(node.host(), node.port())) {
        if (!String.valueOf(resp.command("CLUSTER", "INFO")).contains("cluster_state:ok")) {
          return false;
        }
      }
    }
    return true;
  }

  private static void run(List<String> command) {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " failed:\n" + output);
      }
    } catch (IOException e) {
      throw new ServiceUnavailableException(
          "Cannot run " + command.get(0) + " (" + e.getMessage() + "): install redis-tools");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while creating the cluster", e);
    }
  }

  /** The masters, in the order they were started. */
  public List<RedisServerProcess> masters() {
    return masters;
  }

  /**
   * A Redisson client for the cluster, with Redisson's default timeouts; reads go to the masters
   * (there are no replicas). The caller shuts it down.
   */
  public RedissonClient client() {
    Config config = new Config();
    var servers = config.useClusterServers();
    for (RedisServerProcess node : masters) {
      servers.addNodeAddress(node.address());
    }
    return Redisson.create(config);
  }

  @Override
  public void close() {
    masters.forEach(RedisServerProcess::close);
  }
}
