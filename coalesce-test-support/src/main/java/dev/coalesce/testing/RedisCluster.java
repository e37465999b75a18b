package dev.coalesce.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/**
 * A Redis Cluster of this test's own on free ports of 127.0.0.1, the 16384 slots spread over its
 * masters by {@code redis-cli --cluster create}, optionally with replicas (the cluster fails a
 * master over to its replica 5 s after it stops answering). Each node is a {@link
 * RedisServerProcess}, so a test can pause or kill one. Needs {@code redis-cli} on the PATH (set
 * {@code COALESCE_REDIS_CLI} to use another binary).
 */
public final class RedisCluster implements AutoCloseable {

  private final List<RedisServerProcess> nodes;

  private RedisCluster(List<RedisServerProcess> nodes) {
    this.nodes = nodes;
  }

  /** Starts {@code masters} masters without replicas; see {@link #start(int, int)}. */
  public static RedisCluster start(int masters) {
    return start(masters, 0);
  }

  /**
   * Starts the nodes, joins them and returns once every node reports {@code cluster_state:ok} and
   * every replica is in sync with its master.
   */
  public static RedisCluster start(int masters, int replicasPerMaster) {
    List<RedisServerProcess> nodes = new ArrayList<>();
    try {
      for (int i = 0; i < masters * (1 + replicasPerMaster); i++) {
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
      command.addAll(
          List.of("--cluster-replicas", Integer.toString(replicasPerMaster), "--cluster-yes"));
      run(command);
      RedisCluster cluster = new RedisCluster(nodes);
      await("cluster_state:ok on every node, replicas in sync")
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> cluster.healthy() && cluster.replicasInSync());
      return cluster;
    } catch (RuntimeException e) {
      nodes.forEach(RedisServerProcess::close);
      throw e;
    }
  }

  /** Whether every running node reports {@code cluster_state:ok}. */
  public boolean healthy() {
    for (RedisServerProcess node : nodes) {
      if (node.isRunning()) {
        try (Resp resp = new Resp(node.host(), node.port())) {
          if (!String.valueOf(resp.command("CLUSTER", "INFO")).contains("cluster_state:ok")) {
            return false;
          }
        } catch (UncheckedIOException e) {
          return false; // a node that is starting or dying: not healthy yet
        }
      }
    }
    return true;
  }

  private boolean replicasInSync() {
    for (RedisServerProcess node : nodes) {
      if (node.isRunning() && "slave".equals(role(node).get(0))) {
        List<?> role = role(node);
        if (!"connected".equals(String.valueOf(role.get(3)))) {
          return false;
        }
      }
    }
    return true;
  }

  /** The node's {@code ROLE} reply, or {@code ["unreachable"]} while it is starting or dying. */
  private static List<?> role(RedisServerProcess node) {
    try (Resp resp = new Resp(node.host(), node.port())) {
      return (List<?>) resp.command("ROLE");
    } catch (UncheckedIOException e) {
      return List.of("unreachable");
    }
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

  /** The running nodes that are masters now, in the order they were started. */
  public List<RedisServerProcess> masters() {
    List<RedisServerProcess> masters = new ArrayList<>();
    for (RedisServerProcess node : nodes) {
      if (node.isRunning() && "master".equals(role(node).get(0))) {
        masters.add(node);
      }
    }
    return masters;
  }

  /** The running nodes that are replicas now, in the order they were started. */
  public List<RedisServerProcess> replicas() {
    List<RedisServerProcess> replicas = new ArrayList<>(nodes);
    replicas.removeIf(node -> !node.isRunning());
    replicas.removeAll(masters());
    return replicas;
  }

  /**
   * A Redisson client for the cluster, with Redisson's default timeouts (and its default of reading
   * from replicas where there are any). The caller shuts it down.
   */
  public RedissonClient client() {
    Config config = new Config();
    var servers = config.useClusterServers();
    for (RedisServerProcess node : nodes) {
      servers.addNodeAddress(node.address());
    }
    return Redisson.create(config);
  }

  /**
   * A Redisson YAML configuration for this cluster (written to a new temporary file), for {@code
   * hibernate.coalesce.redis.config}.
   */
  public Path redissonYaml() {
    StringBuilder yaml = new StringBuilder("clusterServersConfig:\n  nodeAddresses:\n");
    for (RedisServerProcess node : nodes) {
      yaml.append("    - \"").append(node.address()).append("\"\n");
    }
    return RedissonYaml.write("coalesce-cluster", yaml.toString());
  }

  @Override
  public void close() {
    nodes.forEach(RedisServerProcess::close);
  }
}
