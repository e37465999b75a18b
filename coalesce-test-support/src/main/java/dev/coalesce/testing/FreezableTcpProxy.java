package dev.coalesce.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP link on a free port of 127.0.0.1 to {@code host:port} that forwards bytes untouched and can
 * be {@link #freeze() frozen}: connections stay open and nothing crosses them until {@link
 * #thaw()}, as on a congested or partitioned network where neither side sees the connection drop.
 * Put it between a Redis replica and its primary ({@code replicaof 127.0.0.1 <port>}) to make the
 * replica lag while it keeps answering reads (a SIGSTOP of the replica is not lag: it stops
 * answering).
 *
 * <p>It can also be {@link #cut()}: every connection closed and each new one closed as soon as it
 * is accepted, until {@link #restore()}, as when the server behind it is down or unreachable (in
 * front of a database: the driver's connection attempts fail, pooled connections are lost).
 */
public final class FreezableTcpProxy implements AutoCloseable {

  private final String targetHost;
  private final int targetPort;
  private final ServerSocket server;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final Object gate = new Object();
  private boolean frozen;
  private volatile boolean cut;
  private volatile boolean closed;

  private FreezableTcpProxy(String targetHost, int targetPort) {
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    server = Sockets.listenOnLoopback("the TCP link");
    Sockets.daemon(this::accept, "tcp-link-accept-" + server.getLocalPort());
  }

  /** Starts a link to {@code host:port}. */
  public static FreezableTcpProxy start(String host, int port) {
    return new FreezableTcpProxy(host, port);
  }

  public int port() {
    return server.getLocalPort();
  }

  /** Holds every byte in both directions (connections stay open) until {@link #thaw()}. */
  public void freeze() {
    synchronized (gate) {
      frozen = true;
    }
  }

  /** Forwards again, starting with what was held. */
  public void thaw() {
    synchronized (gate) {
      frozen = false;
      gate.notifyAll();
    }
  }

  /** Closes every connection, and each new one at once, until {@link #restore()}. */
  public void cut() {
    // with the accepting thread's registration: no connection accepted meanwhile survives the cut
    synchronized (sockets) {
      cut = true;
      sockets.forEach(Sockets::closeQuietly);
      sockets.clear();
    }
  }

  /** Accepts and forwards connections again after {@link #cut()}. */
  public void restore() {
    cut = false;
  }

  private void awaitThawed() throws InterruptedException {
    synchronized (gate) {
      while (frozen && !closed) {
        gate.wait();
      }
    }
  }

  private void accept() {
    while (!closed) {
      try {
        Socket client = server.accept();
        if (cut) {
          Sockets.closeQuietly(client);
          continue;
        }
        Socket upstream = new Socket(targetHost, targetPort);
        client.setTcpNoDelay(true);
        upstream.setTcpNoDelay(true);
        synchronized (sockets) {
          if (cut) {
            Sockets.closeQuietly(client);
            Sockets.closeQuietly(upstream);
            continue;
          }
          sockets.add(client);
          sockets.add(upstream);
        }
        Sockets.daemon(() -> pump(client, upstream), "tcp-link-up");
        Sockets.daemon(() -> pump(upstream, client), "tcp-link-down");
      } catch (IOException e) {
        if (closed) {
          return;
        }
        // the target refused: the client sees its connection close and retries
      }
    }
  }

  private void pump(Socket from, Socket to) {
    byte[] buffer = new byte[64 * 1024];
    try (InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream()) {
      int read;
      while ((read = in.read(buffer)) >= 0) {
        awaitThawed();
        out.write(buffer, 0, read);
        out.flush();
      }
    } catch (SocketException e) {
      // one side closed the connection
    } catch (IOException e) {
      if (!closed) {
        throw new UncheckedIOException(e);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      Sockets.closeQuietly(from);
      Sockets.closeQuietly(to);
    }
  }

  @Override
  public void close() {
    closed = true;
    thaw();
    try {
      server.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    sockets.forEach(Sockets::closeQuietly);
  }
}
