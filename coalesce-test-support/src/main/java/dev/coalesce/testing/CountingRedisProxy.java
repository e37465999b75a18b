package dev.coalesce.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on a free port of 127.0.0.1 in front of a Redis server that counts what clients send:
 * round trips and the top-level commands of each. Redis's own {@code INFO commandstats} also counts
 * the commands a Lua script runs inside the server; this counts only what crosses the wire.
 *
 * <p>A round trip starts when a client sends a command while none of its earlier commands on that
 * connection is waiting for a reply; commands it pipelines before the replies arrive belong to the
 * same round trip. {@code PING}s (a client's idle-connection checks) are not counted.
 *
 * <p>Over our usual 250 lines: a RESP reader just deep enough to count top-level commands, and the
 * hold-and-release fault point, which work on the same byte stream.
 */
public final class CountingRedisProxy implements AutoCloseable {

  /** One round trip: the names of the commands it carried, in order. */
  public record RoundTrip(List<String> commands) {
    @Override
    public String toString() {
      return commands.size() == 1 ? commands.get(0) : commands.size() + " " + summary();
    }

    private String summary() {
      List<String> distinct = commands.stream().distinct().toList();
      return distinct.toString();
    }
  }

  private volatile String targetHost;
  private volatile int targetPort;
  private final ServerSocket server;
  private final Thread acceptor;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final List<RoundTrip> roundTrips = new ArrayList<>();
  private volatile boolean closed;
  private volatile boolean blocked;
  private volatile String heldCommand;
  private volatile boolean holdOnce;
  private volatile CountDownLatch heldUntil = new CountDownLatch(0);
  private final AtomicInteger held = new AtomicInteger();

  private CountingRedisProxy(String targetHost, int targetPort) {
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    server = Sockets.listenOnLoopback("the Redis proxy");
    acceptor = new Thread(this::accept, "redis-proxy-accept-" + server.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** Starts a proxy in front of {@code host:port}. */
  public static CountingRedisProxy start(String host, int port) {
    return new CountingRedisProxy(host, port);
  }

  public int port() {
    return server.getLocalPort();
  }

  /** {@code redis://127.0.0.1:<port>}: give this to the client under test. */
  public String address() {
    return "redis://127.0.0.1:" + port();
  }

  /** Forgets everything counted so far. */
  public synchronized void reset() {
    roundTrips.clear();
  }

  /** The round trips since the last {@link #reset()}. */
  public synchronized List<RoundTrip> roundTrips() {
    return List.copyOf(roundTrips);
  }

  /** The number of round trips since the last {@link #reset()}. */
  public synchronized int roundTripCount() {
    return roundTrips.size();
  }

  /** The number of top-level commands since the last {@link #reset()}. */
  public synchronized int commandCount() {
    return roundTrips.stream().mapToInt(r -> r.commands().size()).sum();
  }

  /**
   * Cuts every connection and refuses new ones, as a network partition from Redis would, while the
   * server keeps its data; {@link #unblock()} lets clients reconnect.
   */
  public void block() {
    blocked = true;
    sockets.forEach(Sockets::closeQuietly);
    sockets.clear();
  }

  /**
   * Connects new client connections to {@code host:port} from now on (a failover behind a fixed
   * address); connections already open stay with the old server until it closes them.
   */
  public void retarget(String host, int port) {
    targetHost = host;
    targetPort = port;
  }

  /** Accepts connections again after {@link #block()}. */
  public void unblock() {
    blocked = false;
  }

  /**
   * From now on, holds every request that carries a command named {@code command} (e.g. {@code
   * EVALSHA}) before it reaches Redis, and the requests after it on that connection, until {@link
   * #release()}: its client waits for an answer that does not come.
   */
  public void hold(String command) {
    heldUntil = new CountDownLatch(1);
    holdOnce = false;
    heldCommand = command.toUpperCase(Locale.ROOT);
  }

  /**
   * Holds the next request that carries a command named {@code command}, and the requests after it
   * on that connection, until {@link #release()}; the requests after it on other connections go
   * through (a fault point for one call, where {@link #hold} stops every such call).
   */
  public void holdNext(String command) {
    heldUntil = new CountDownLatch(1);
    holdOnce = true;
    heldCommand = command.toUpperCase(Locale.ROOT);
  }

  /** How many requests {@link #hold} has held since the proxy started. */
  public int heldCount() {
    return held.get();
  }

  /** Lets the held requests through, and holds nothing more. */
  public void release() {
    heldCommand = null;
    holdOnce = false;
    heldUntil.countDown();
  }

  private void accept() {
    while (!closed) {
      try {
        Socket client = server.accept();
        if (blocked) {
          Sockets.closeQuietly(client);
          continue;
        }
        Socket upstream = new Socket(targetHost, targetPort);
        client.setTcpNoDelay(true);
        upstream.setTcpNoDelay(true);
        sockets.add(client);
        sockets.add(upstream);
        Connection connection = new Connection();
        Sockets.daemon(() -> pump(client, upstream, connection, true), "redis-proxy-up");
        Sockets.daemon(() -> pump(upstream, client, connection, false), "redis-proxy-down");
      } catch (IOException e) {
        if (!closed) {
          // The target may be down (an outage test): the client sees its connection close.
          continue;
        }
        return;
      }
    }
  }

  private void pump(Socket from, Socket to, Connection connection, boolean fromClient) {
    byte[] buffer = new byte[256 * 1024];
    RespScanner scanner = new RespScanner();
    try (InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream()) {
      int read;
      while ((read = in.read(buffer)) >= 0) {
        List<String> values = scanner.feed(buffer, read);
        if (fromClient) {
          sent(connection, values);
          if (holds(values)) {
            held.incrementAndGet();
            awaitRelease();
          }
        } else {
          connection.replied(values.size());
        }
        out.write(buffer, 0, read);
        out.flush();
      }
    } catch (SocketException e) {
      // one side closed the connection
    } catch (IOException e) {
      if (!closed) {
        throw new UncheckedIOException(e);
      }
    } finally {
      Sockets.closeQuietly(from);
      Sockets.closeQuietly(to);
    }
  }

  /** Whether a request carrying {@code commands} is to be held (one only after holdNext). */
  private synchronized boolean holds(List<String> commands) {
    String command = heldCommand;
    if (command == null || !commands.contains(command)) {
      return false;
    }
    if (holdOnce) {
      heldCommand = null;
      holdOnce = false;
    }
    return true;
  }

  private void awaitRelease() {
    try {
      heldUntil.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void sent(Connection connection, List<String> commands) {
    synchronized (this) {
      for (String command : commands) {
        boolean newRoundTrip = connection.send();
        if (command.equals("PING")) {
          continue;
        }
        if (newRoundTrip || connection.current == null) {
          connection.current = new ArrayList<>();
          roundTrips.add(new RoundTrip(connection.current));
        }
        connection.current.add(command);
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    release();
    try {
      server.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    sockets.forEach(Sockets::closeQuietly);
  }

  /** Per client connection: commands waiting for a reply. */
  private static final class Connection {
    private int outstanding;
    private List<String> current;

    /** Records one sent command; true if nothing was outstanding (a new round trip). */
    synchronized boolean send() {
      return outstanding++ == 0;
    }

    synchronized void replied(int replies) {
      outstanding = Math.max(0, outstanding - replies);
    }
  }

  /**
   * Splits a RESP byte stream into complete top-level values, across reads. For requests it returns
   * each command's name (the first element of the array); for replies, one entry each.
   */
  static final class RespScanner {
    private byte[] pending = new byte[0];

    List<String> feed(byte[] bytes, int length) {
      byte[] data = new byte[pending.length + length];
      System.arraycopy(pending, 0, data, 0, pending.length);
      System.arraycopy(bytes, 0, data, pending.length, length);
      List<String> values = new ArrayList<>();
      int position = 0;
      while (position < data.length) {
        int[] end = {position};
        String name = value(data, end, true);
        if (end[0] < 0) {
          break;
        }
        values.add(name == null ? "?" : name.toUpperCase(Locale.ROOT));
        position = end[0];
      }
      pending = java.util.Arrays.copyOfRange(data, position, data.length);
      return values;
    }

    /** Skips one value at pos[0]; sets pos[0] to its end, or -1 if incomplete. */
    private static String value(byte[] data, int[] pos, boolean top) {
      int start = pos[0];
      if (start >= data.length) {
        pos[0] = -1;
        return null;
      }
      int lineEnd = lineEnd(data, start);
      if (lineEnd < 0) {
        pos[0] = -1;
        return null;
      }
      char type = (char) data[start];
      String header = new String(data, start + 1, lineEnd - start - 1, StandardCharsets.US_ASCII);
      int next = lineEnd + 2;
      switch (type) {
        case '$', '=', '!' -> {
          int length = Integer.parseInt(header);
          if (length < 0) {
            pos[0] = next;
            return null;
          }
          if (next + length + 2 > data.length) {
            pos[0] = -1;
            return null;
          }
          pos[0] = next + length + 2;
          return new String(data, next, Math.min(length, 64), StandardCharsets.UTF_8);
        }
        case '*', '~', '>', '%', '|' -> {
          int count = Integer.parseInt(header);
          if (type == '%' || type == '|') {
            count *= 2;
          }
          pos[0] = next;
          String first = null;
          for (int i = 0; i < count; i++) {
            String element = value(data, pos, false);
            if (pos[0] < 0) {
              return null;
            }
            if (i == 0) {
              first = element;
            }
          }
          return top ? first : null;
        }
        default -> {
          // simple string, error, integer, null, double, boolean, big number; or inline command
          pos[0] = next;
          return type == '+' || type == '-' || type == ':' ? header : header.split(" ")[0];
        }
      }
    }

    private static int lineEnd(byte[] data, int from) {
      for (int i = from; i + 1 < data.length; i++) {
        if (data[i] == '\r' && data[i + 1] == '\n') {
          return i;
        }
      }
      return -1;
    }
  }
}
