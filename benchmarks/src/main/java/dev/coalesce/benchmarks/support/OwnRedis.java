package dev.coalesce.benchmarks.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * A {@code redis-server} of the benchmark's own, on a free port of 127.0.0.1, so that {@code INFO
 * commandstats} counts only what the code under test sent: the commands each call puts on the wire.
 * Started per trial (per JMH fork), empty, nothing kept on disk; {@code
 * -Dcoalesce.redis.server=/path/to/redis-server} picks another binary.
 */
public final class OwnRedis implements AutoCloseable {

  private final Process process;
  private final int port;
  private final Socket statsSocket;

  private OwnRedis(Process process, int port, Socket statsSocket) {
    this.process = process;
    this.port = port;
    this.statsSocket = statsSocket;
  }

  /** Starts a server and returns once it logged that it accepts connections. */
  public static OwnRedis start() {
    String binary = System.getProperty("coalesce.redis.server", "redis-server");
    int port = freePort();
    ProcessBuilder builder =
        new ProcessBuilder(
                binary,
                "--port",
                Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--loglevel",
                "notice")
            .redirectErrorStream(true);
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot start " + binary + ": install Redis or set -Dcoalesce.redis.server", e);
    }
    // a trial whose set-up fails never reaches its tear-down: the server still goes with the JVM
    Process started = process;
    Runtime.getRuntime()
        .addShutdownHook(new Thread(started::destroyForcibly, "redis-server-" + port + "-stop"));
    awaitReady(process, port);
    try {
      Socket socket = new Socket("127.0.0.1", port);
      socket.setTcpNoDelay(true);
      return new OwnRedis(process, port, socket);
    } catch (IOException e) {
      process.destroyForcibly();
      throw new UncheckedIOException("redis-server on port " + port + " refused a connection", e);
    }
  }

  /** Reads the server's log until it says it is ready (no polling, no sleep). */
  private static void awaitReady(Process process, int port) {
    BufferedReader log =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    List<String> seen = new ArrayList<>();
    try {
      for (String line = log.readLine(); line != null; line = log.readLine()) {
        seen.add(line);
        if (line.contains("Ready to accept connections")) {
          Thread drain = new Thread(() -> drain(process.getInputStream()), "redis-log-" + port);
          drain.setDaemon(true);
          drain.start();
          return;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the log of redis-server on port " + port, e);
    }
    throw new IllegalStateException(
        "redis-server on port " + port + " exited before it was ready: " + String.join("\n", seen));
  }

  private static void drain(InputStream in) {
    byte[] buffer = new byte[4096];
    try {
      while (in.read(buffer) >= 0) {
        // the log is not needed once the server runs; reading it keeps the pipe from filling up
      }
    } catch (IOException e) {
      // the process ended
    }
  }

  /** {@code redis://127.0.0.1:port}. */
  public String address() {
    return "redis://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  /**
   * Calls per command since the server started ({@code INFO commandstats}), without the {@code
   * INFO} calls this class makes itself.
   */
  public synchronized Map<String, Long> commandCounts() {
    String info = command("INFO", "commandstats");
    Map<String, Long> counts = new TreeMap<>();
    for (String line : info.split("\r\n")) {
      // cmdstat_mget:calls=12,usec=...
      if (!line.startsWith("cmdstat_")) {
        continue;
      }
      int colon = line.indexOf(':');
      String name = line.substring("cmdstat_".length(), colon);
      if (name.equals("info")) {
        continue;
      }
      int calls = line.indexOf("calls=", colon);
      int end = line.indexOf(',', calls);
      counts.put(name, Long.parseLong(line.substring(calls + "calls=".length(), end)));
    }
    return counts;
  }

  /**
   * Starts counting the commands clients send (Redis {@code MONITOR}, so commands run inside Lua
   * scripts are told apart from those on the wire). MONITOR slows the server: use it only outside
   * measured iterations.
   */
  public Monitor monitor() {
    return new Monitor(this);
  }

  /** Sends {@code ECHO text}: a marker in the order the server executes commands. */
  synchronized void mark(String text) {
    String reply = command("ECHO", text);
    if (!reply.equals(text)) {
      throw new IllegalStateException("ECHO " + text + " answered " + reply);
    }
  }

  /** Sends one command on the statistics connection and returns its bulk-string reply. */
  private String command(String... words) {
    try {
      OutputStream out = statsSocket.getOutputStream();
      StringBuilder request = new StringBuilder("*").append(words.length).append("\r\n");
      for (String word : words) {
        request.append('$').append(word.length()).append("\r\n").append(word).append("\r\n");
      }
      out.write(request.toString().getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = statsSocket.getInputStream();
      String header = readLine(in);
      if (header.charAt(0) != '$') {
        throw new IllegalStateException("Unexpected reply to " + words[0] + ": " + header);
      }
      int length = Integer.parseInt(header.substring(1));
      byte[] body = in.readNBytes(length + 2);
      return new String(body, 0, length, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("redis-server on port " + port + " did not answer", e);
    }
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int b = in.read(); b != '\r'; b = in.read()) {
      if (b < 0) {
        throw new IOException("connection closed");
      }
      line.append((char) b);
    }
    in.read(); // '\n'
    return line.toString();
  }

  @Override
  public void close() {
    try {
      statsSocket.close();
    } catch (IOException e) {
      // the server goes away next anyway
    }
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
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
