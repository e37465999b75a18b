package dev.coalesce.testing;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A {@code redis-server} of a test's own, on a random free port of 127.0.0.1: for outages ({@link
 * #stop()}, then {@link #startAgain()} on the same port; {@link #pause()} and {@link #resume()}, a
 * stall) and for counting what a client sends. {@link #start()} keeps nothing on disk; {@link
 * #startWithAppendOnlyFile()} keeps an append-only file in a directory of its own, so a restart
 * reloads what the server acknowledged. Set {@code COALESCE_REDIS_SERVER} to use another binary.
 *
 * <p>Every server runs in a directory of its own, never the JVM's working directory: a server
 * turned replica (as Sentinel turns a failed primary that came back) receives its first sync as a
 * {@code dump.rdb} in its directory, and Redis loads that file when it starts, whatever {@code
 * --save} says. In a shared directory the next server of any test started with that data (a
 * FailoverTest case flushed the counters of the case before into its rows); and a server that must
 * start empty has the file deleted before each start.
 *
 * <p>Over our usual 250 lines: start, stop, pause and restart of a real server, each with its wait
 * and its diagnostics when the server does not come up, as the fault tests need them.
 */
public final class RedisServerProcess implements AutoCloseable {

  private final int port;
  private final Path dataDirectory;
  private final List<String> options;
  private final Path configFile;
  private Process process;

  /** The file Redis loads at start and writes a replica's first sync to, in its directory. */
  private static final String SNAPSHOT = "dump.rdb";

  private RedisServerProcess(int port, Path dataDirectory, List<String> options) {
    this(port, dataDirectory, options, null);
  }

  private RedisServerProcess(int port, Path dataDirectory, List<String> options, Path configFile) {
    this.port = port;
    this.dataDirectory = Objects.requireNonNull(dataDirectory, "a directory of the server's own");
    this.options = options;
    this.configFile = configFile;
  }

  /** A replica of {@code primary}; see {@link #startReplicaOf(String, int)}. */
  static RedisServerProcess startReplicaOf(RedisServerProcess primary) {
    return startReplicaOf(primary.host(), primary.port());
  }

  /**
   * Starts a Sentinel on a free port that watches {@code primary} as {@code masterName} and fails
   * it over after 2 s without an answer, with {@code quorum} Sentinels agreeing. Its configuration
   * file (which Sentinel rewrites) lives in a new temporary directory.
   */
  static RedisServerProcess startSentinel(
      String masterName, RedisServerProcess primary, int quorum) {
    Path directory = temporaryDirectory("coalesce-redis-sentinel");
    Path config = directory.resolve("sentinel.conf");
    try {
      Files.writeString(
          config,
          "sentinel monitor "
              + masterName
              + " "
              + primary.host()
              + " "
              + primary.port()
              + " "
              + quorum
              + "\nsentinel down-after-milliseconds "
              + masterName
              + " 2000\nsentinel failover-timeout "
              + masterName
              + " 10000\n");
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + config, e);
    }
    RedisServerProcess sentinel =
        new RedisServerProcess(freePort(), directory, List.of("--sentinel"), config);
    sentinel.startAgain();
    return sentinel;
  }

  /**
   * Starts a server on a free port, keeping nothing on disk (a directory of its own, for the file
   * of a first sync should it become a replica); returns once it answers PING.
   */
  public static RedisServerProcess start() {
    RedisServerProcess server =
        new RedisServerProcess(
            freePort(), temporaryDirectory("coalesce-redis"), List.of("--appendonly", "no"));
    server.startAgain();
    return server;
  }

  /**
   * Starts a node of a Redis Cluster on a free port (not yet part of a cluster: {@link
   * RedisCluster} joins the nodes), keeping its cluster configuration in a new temporary directory
   * and no data on disk.
   */
  static RedisServerProcess startClusterNode() {
    RedisServerProcess server =
        new RedisServerProcess(
            freePort(),
            temporaryDirectory("coalesce-redis-cluster"),
            List.of(
                "--appendonly",
                "no",
                "--cluster-enabled",
                "yes",
                "--cluster-config-file",
                "nodes.conf",
                "--cluster-node-timeout",
                "5000"));
    server.startAgain();
    return server;
  }

  /**
   * Starts a server on a free port that replicates {@code host:port} ({@code replicaof}), in a new
   * temporary directory (for the file of its first sync), answering reads with what it has while
   * its link is down or behind ({@code replica-serve-stale-data yes}, Redis's default). Returns
   * once it answers PING, which may be before its first sync: see {@link RedisReplicaPair}.
   */
  static RedisServerProcess startReplicaOf(String host, int port) {
    RedisServerProcess server =
        new RedisServerProcess(
            freePort(),
            // a replica loads its first sync through a file
            temporaryDirectory("coalesce-redis-replica"),
            List.of(
                "--appendonly",
                "no",
                "--replicaof",
                host,
                Integer.toString(port),
                // a frozen link must not time out during a test
                "--repl-timeout",
                "300"));
    server.startAgain();
    return server;
  }

  /**
   * Starts a server on a free port that writes every write to an append-only file ({@code
   * appendfsync everysec}) in a new temporary directory; {@link #startAgain()} after {@link
   * #stop()} reloads it. A killed process loses nothing it acknowledged: Redis writes the file
   * before it replies, and only a machine crash loses what the kernel had not yet synced. Except on
   * a disk so busy that an earlier sync is still running: {@code everysec} then postpones the write
   * by up to 2 s and replies first (the likely cause of StoreOutageTest finding one push missing
   * once, with the load average at 7). {@code appendfsync always} would close that window, but
   * slows the pushes so much that RedisFaultTest's outage saw no fallback to the database.
   */
  public static RedisServerProcess startWithAppendOnlyFile() {
    RedisServerProcess server =
        new RedisServerProcess(
            freePort(),
            temporaryDirectory("coalesce-redis-aof"),
            List.of("--appendonly", "yes", "--appendfsync", "everysec"));
    server.startAgain();
    return server;
  }

  /** Whether a restart reloads the data: with an append-only file only. */
  private boolean keepsData() {
    int appendOnly = options.indexOf("--appendonly");
    return appendOnly >= 0 && "yes".equals(options.get(appendOnly + 1));
  }

  private static Path temporaryDirectory(String prefix) {
    try {
      return Files.createTempDirectory(prefix);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create a directory for redis-server", e);
    }
  }

  public int port() {
    return port;
  }

  public String host() {
    return "127.0.0.1";
  }

  /** {@code redis://127.0.0.1:port}. */
  public String address() {
    return "redis://127.0.0.1:" + port;
  }

  public boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** The server's process id. */
  public synchronized long pid() {
    if (process == null) {
      throw new IllegalStateException("redis-server on port " + port + " is not running");
    }
    return process.pid();
  }

  /**
   * Starts the server again on the same port: empty after {@link #start()}, with what its
   * append-only file holds after {@link #startWithAppendOnlyFile()}.
   */
  public synchronized void startAgain() {
    if (isRunning()) {
      return;
    }
    String binary = System.getenv().getOrDefault("COALESCE_REDIS_SERVER", "redis-server");
    List<String> command = new ArrayList<>(List.of(binary));
    if (configFile != null) {
      command.add(configFile.toString()); // Sentinel: the file comes first
    }
    command.addAll(List.of("--port", Integer.toString(port), "--bind", "127.0.0.1", "--save", ""));
    command.addAll(List.of("--dir", dataDirectory.toString()));
    command.addAll(options);
    if (!keepsData()) {
      // a first sync it received as a replica before: Redis would load it, and start with data
      try {
        Files.deleteIfExists(dataDirectory.resolve(SNAPSHOT));
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot remove " + dataDirectory.resolve(SNAPSHOT), e);
      }
    }
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new ServiceUnavailableException(
          "Cannot start "
              + binary
              + " ("
              + e.getMessage()
              + "): install Redis (apt-get install redis-server) or set COALESCE_REDIS_SERVER"
              + " to its path");
    }
    await("redis-server on port " + port)
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> Resp.pingProblem(host(), port) == null);
  }

  /**
   * Stops the process with SIGSTOP: it keeps its connections open and answers nothing, as a server
   * stalled by a fork, a slow disk or a long script does, until {@link #resume()}.
   */
  public synchronized void pause() {
    signal("STOP");
  }

  /** Lets a {@link #pause() paused} server go on (SIGCONT). */
  public synchronized void resume() {
    signal("CONT");
  }

  private void signal(String name) {
    long pid = pid();
    try {
      Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill -" + name + " " + pid + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot send SIG" + name + " to redis-server " + pid, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while signalling redis-server", e);
    }
  }

  /** Kills the server with SIGKILL (as a crash would) and waits until it is gone. */
  public synchronized void stop() {
    if (process == null) {
      return;
    }
    process.destroyForcibly(); // SIGKILL, which also ends a paused process
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("redis-server on port " + port + " did not stop");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while stopping redis-server", e);
    }
    process = null;
  }

  @Override
  public void close() {
    stop();
    try (Stream<Path> files = Files.walk(dataDirectory)) {
      files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot remove " + dataDirectory, e);
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("No free local port", e);
    }
  }
}
