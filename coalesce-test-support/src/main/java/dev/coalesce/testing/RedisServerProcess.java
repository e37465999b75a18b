package dev.coalesce.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@code redis-server} of a test's own, on a random free port of 127.0.0.1, keeping nothing on
 * disk: for outages ({@link #stop()}, then {@link #start()} again on the same port) and for
 * counting what a client sends. Set {@code COALESCE_REDIS_SERVER} to use another binary.
 */
public final class RedisServerProcess implements AutoCloseable {

  private final int port;
  private Process process;

  private RedisServerProcess(int port) {
    this.port = port;
  }

  /** Starts a server on a free port and returns once it answers PING. */
  public static RedisServerProcess start() {
    RedisServerProcess server = new RedisServerProcess(freePort());
    server.startAgain();
    return server;
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

  /** Starts the server again on the same port (empty: it keeps nothing on disk). */
  public synchronized void startAgain() {
    if (isRunning()) {
      return;
    }
    String binary = System.getenv().getOrDefault("COALESCE_REDIS_SERVER", "redis-server");
    ProcessBuilder builder =
        new ProcessBuilder(
            List.of(
                binary,
                "--port",
                Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no"));
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

  /** Kills the server (as a crash would) and waits until it is gone. */
  public synchronized void stop() {
    if (process == null) {
      return;
    }
    process.destroyForcibly();
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
