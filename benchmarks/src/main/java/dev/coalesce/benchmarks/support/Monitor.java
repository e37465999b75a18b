package dev.coalesce.benchmarks.support;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Commands clients sent to an {@link OwnRedis} while it was watched, by name: a {@code MONITOR}
 * connection whose lines name the client ({@code [0 127.0.0.1:port]}) or {@code [0 lua]} for a
 * command a script ran, which is not on the wire and is left out. Commands between {@link
 * #excludeBegin()} and {@link #excludeEnd()} (setting up the next call) and this class's own
 * markers are left out too.
 */
public final class Monitor {

  private static final String BEGIN = "coalesce-bench-exclude-begin";
  private static final String END = "coalesce-bench-exclude-end";
  private static final String STOP = "coalesce-bench-monitor-stop";

  private final OwnRedis redis;
  private final Socket socket;
  private final Map<String, Long> counts = new TreeMap<>();
  private final CountDownLatch started = new CountDownLatch(1);
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final Thread reader;
  private volatile IOException failure;

  Monitor(OwnRedis redis) {
    this.redis = redis;
    try {
      socket = new Socket("127.0.0.1", redis.port());
      socket.getOutputStream().write("*1\r\n$7\r\nMONITOR\r\n".getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
    } catch (IOException e) {
      throw new UncheckedIOException("MONITOR on port " + redis.port(), e);
    }
    reader = new Thread(this::read, "redis-monitor-" + redis.port());
    reader.setDaemon(true);
    reader.start();
    await(started, "MONITOR to start");
  }

  public void excludeBegin() {
    redis.mark(BEGIN);
  }

  public void excludeEnd() {
    redis.mark(END);
  }

  /** Stops watching, once every command executed before this call was read; returns the counts. */
  public Map<String, Long> stop() {
    redis.mark(STOP);
    await(stopped, "MONITOR to show the stop marker");
    try {
      socket.close();
    } catch (IOException e) {
      // counting is over
    }
    if (failure != null) {
      throw new UncheckedIOException("MONITOR on port " + redis.port() + " failed", failure);
    }
    synchronized (counts) {
      return new TreeMap<>(counts);
    }
  }

  private void await(CountDownLatch latch, String what) {
    try {
      if (!latch.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("Timed out waiting for " + what);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted waiting for " + what, e);
    }
  }

  private void read() {
    boolean excluding = false;
    try {
      InputStream in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
      ByteArrayOutputStream line = new ByteArrayOutputStream(256);
      for (int b = in.read(); b >= 0; b = in.read()) {
        if (b != '\n') {
          line.write(b);
          continue;
        }
        String text = line.toString(StandardCharsets.UTF_8);
        line.reset();
        if (text.startsWith("+OK")) {
          started.countDown();
          continue;
        }
        // +1700000000.123456 [0 127.0.0.1:53422] "MGET" "k1" "k2"
        int open = text.indexOf('[');
        int close = text.indexOf(']', open);
        if (open < 0 || close < 0 || text.startsWith("[0 lua]", open)) {
          continue;
        }
        int nameStart = text.indexOf('"', close) + 1;
        int nameEnd = text.indexOf('"', nameStart);
        if (nameStart <= 0 || nameEnd < 0) {
          continue;
        }
        String name = text.substring(nameStart, nameEnd).toLowerCase(java.util.Locale.ROOT);
        if (name.equals("echo")) {
          if (text.contains(BEGIN)) {
            excluding = true;
          } else if (text.contains(END)) {
            excluding = false;
          } else if (text.contains(STOP)) {
            stopped.countDown();
            return;
          }
          continue;
        }
        if (excluding || name.equals("info")) {
          continue;
        }
        synchronized (counts) {
          counts.merge(name, 1L, Long::sum);
        }
      }
    } catch (IOException e) {
      failure = e;
    } finally {
      started.countDown();
      stopped.countDown();
    }
  }
}
