package dev.coalesce.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A minimal RESP2 client for tests: one blocking connection, one command at a time. It lets tests
 * look at Redis without going through the client under test.
 */
public final class Resp implements AutoCloseable {

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  public Resp(String host, int port) {
    try {
      socket = new Socket();
      socket.connect(new InetSocketAddress(host, port), 2_000);
      socket.setSoTimeout(10_000);
      in = new BufferedInputStream(socket.getInputStream());
      out = socket.getOutputStream();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot connect to Redis at " + host + ":" + port, e);
    }
  }

  /**
   * Sends one command and returns its reply: a {@code String} (simple or bulk), a {@code Long}, a
   * {@code List<Object>}, or {@code null}.
   *
   * @throws IllegalStateException for an error reply
   */
  public Object command(String... args) {
    try {
      ByteArrayOutputStream request = new ByteArrayOutputStream();
      request.write(("*" + args.length + "\r\n").getBytes(StandardCharsets.UTF_8));
      for (String arg : args) {
        byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
        request.write(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.UTF_8));
        request.write(bytes);
        request.write("\r\n".getBytes(StandardCharsets.UTF_8));
      }
      out.write(request.toByteArray());
      out.flush();
      return read();
    } catch (IOException e) {
      throw new UncheckedIOException("Redis command " + args[0] + " failed", e);
    }
  }

  /** Every key matching {@code pattern}, by SCAN (never KEYS). */
  public List<String> scan(String pattern) {
    List<String> keys = new ArrayList<>();
    String cursor = "0";
    do {
      List<?> reply = (List<?>) command("SCAN", cursor, "MATCH", pattern, "COUNT", "1000");
      cursor = (String) reply.get(0);
      for (Object key : (List<?>) reply.get(1)) {
        keys.add((String) key);
      }
    } while (!cursor.equals("0"));
    return keys;
  }

  /** Null if Redis at host:port answers PING, otherwise why not. */
  static String pingProblem(String host, int port) {
    try (Resp resp = new Resp(host, port)) {
      Object reply = resp.command("PING");
      return "PONG".equals(reply) ? null : "unexpected reply to PING: " + reply;
    } catch (RuntimeException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      return cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }
  }

  private Object read() throws IOException {
    int type = in.read();
    String line = readLine();
    switch (type) {
      case '+':
        return line;
      case '-':
        throw new IllegalStateException("Redis error: " + line);
      case ':':
        return Long.parseLong(line);
      case '$':
        {
          int length = Integer.parseInt(line);
          if (length < 0) {
            return null;
          }
          byte[] bytes = in.readNBytes(length);
          readLine();
          return new String(bytes, StandardCharsets.UTF_8);
        }
      case '*':
        {
          int count = Integer.parseInt(line);
          if (count < 0) {
            return null;
          }
          List<Object> items = new ArrayList<>(count);
          for (int i = 0; i < count; i++) {
            items.add(read());
          }
          return items;
        }
      case -1:
        throw new IOException("Redis closed the connection");
      default:
        throw new IOException("Unexpected RESP type '" + (char) type + "'");
    }
  }

  private String readLine() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int previous = -1;
    while (true) {
      int next = in.read();
      if (next < 0) {
        throw new IOException("Redis closed the connection");
      }
      if (previous == '\r' && next == '\n') {
        byte[] bytes = line.toByteArray();
        return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
      }
      line.write(next);
      previous = next;
    }
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
