package dev.coalesce.samples.spring;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy in front of a Redis server that records every command clients send through it, by
 * name, as they pass on the wire. Point the application at {@link #address()}. Test code only.
 */
final class RedisCommandCounter implements AutoCloseable {

  private final String targetHost;
  private final int targetPort;
  private final ServerSocket server;
  private final List<String> commands = new CopyOnWriteArrayList<>();
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final List<Throwable> failures = new CopyOnWriteArrayList<>();
  private volatile boolean closed;

  RedisCommandCounter(String targetHost, int targetPort) throws IOException {
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::accept, "redis-counter-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** {@code redis://127.0.0.1:<port>} of the proxy. */
  String address() {
    return "redis://127.0.0.1:" + server.getLocalPort();
  }

  /** How many commands passed so far. */
  int count() {
    return commands.size();
  }

  /** The names of the commands after the first {@code from}, in the order they arrived. */
  List<String> since(int from) {
    return new ArrayList<>(commands.subList(from, commands.size()));
  }

  /** Errors of the proxy's own threads (not of Redis): a test should assert there are none. */
  List<Throwable> failures() {
    return failures;
  }

  private void accept() {
    while (!closed) {
      try {
        Socket client = server.accept();
        Socket redis = new Socket(targetHost, targetPort);
        client.setTcpNoDelay(true);
        redis.setTcpNoDelay(true);
        sockets.add(client);
        sockets.add(redis);
        start(
            "redis-counter-up",
            () -> forwardCommands(new BufferedInputStream(client.getInputStream()), redis));
        start("redis-counter-down", () -> forwardBytes(redis.getInputStream(), client));
      } catch (IOException e) {
        if (!closed) {
          failures.add(e);
        }
      }
    }
  }

  private void start(String name, IoTask task) {
    Thread thread =
        new Thread(
            () -> {
              try {
                task.run();
              } catch (IOException e) {
                // A connection closed by either side ends its pump; only errors while open count.
                if (!closed && !(e instanceof java.net.SocketException)) {
                  failures.add(e);
                }
              }
            },
            name);
    thread.setDaemon(true);
    thread.start();
  }

  private interface IoTask {
    void run() throws IOException;
  }

  /** Client to Redis: parse RESP commands to record their names, forward the bytes unchanged. */
  private void forwardCommands(InputStream in, Socket redis) throws IOException {
    OutputStream out = redis.getOutputStream();
    RespReader reader = new RespReader(in);
    while (true) {
      ByteArrayOutputStream raw = new ByteArrayOutputStream();
      String name = reader.readCommand(raw);
      if (name == null) {
        redis.shutdownOutput();
        return;
      }
      commands.add(name);
      raw.writeTo(out);
      if (in.available() == 0) {
        out.flush();
      }
    }
  }

  private static void forwardBytes(InputStream in, Socket client) throws IOException {
    OutputStream out = client.getOutputStream();
    byte[] buffer = new byte[16 * 1024];
    int n;
    while ((n = in.read(buffer)) >= 0) {
      out.write(buffer, 0, n);
      out.flush();
    }
    client.shutdownOutput();
  }

  /**
   * Reads one command (a RESP array of bulk strings, or an inline command) and copies its bytes.
   */
  private static final class RespReader {
    private final InputStream in;

    RespReader(InputStream in) {
      this.in = in;
    }

    String readCommand(ByteArrayOutputStream raw) throws IOException {
      String header = readLine(raw);
      if (header == null) {
        return null;
      }
      if (!header.startsWith("*")) {
        String[] words = header.trim().split("\\s+");
        return words[0].toUpperCase(Locale.ROOT);
      }
      int arguments = Integer.parseInt(header.substring(1));
      String name = null;
      for (int i = 0; i < arguments; i++) {
        String length = readLine(raw);
        if (length == null || !length.startsWith("$")) {
          throw new IOException("not a RESP bulk string: " + length);
        }
        byte[] value = in.readNBytes(Integer.parseInt(length.substring(1)) + 2);
        raw.write(value);
        if (i == 0) {
          name =
              new String(value, 0, value.length - 2, StandardCharsets.UTF_8)
                  .toUpperCase(Locale.ROOT);
        }
      }
      return name;
    }

    private String readLine(ByteArrayOutputStream raw) throws IOException {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      int previous = -1;
      int b;
      while ((b = in.read()) >= 0) {
        raw.write(b);
        if (previous == '\r' && b == '\n') {
          byte[] bytes = line.toByteArray();
          return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
        }
        line.write(b);
        previous = b;
      }
      return null;
    }
  }

  @Override
  public void close() throws IOException {
    closed = true;
    server.close();
    for (Socket socket : sockets) {
      socket.close();
    }
  }
}
