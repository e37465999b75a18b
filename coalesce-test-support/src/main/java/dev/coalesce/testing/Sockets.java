package dev.coalesce.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/** What the test proxies share: their daemon threads and closing sockets that may be closing. */
final class Sockets {

  private Sockets() {}

  /** A server socket on a free port of 127.0.0.1. */
  static ServerSocket listenOnLoopback(String what) {
    try {
      return new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot open a local port for " + what, e);
    }
  }

  static void daemon(Runnable task, String name) {
    Thread thread = new Thread(task, name);
    thread.setDaemon(true);
    thread.start();
  }

  static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // already closing: nothing is lost, the peer sees the connection end either way
    }
  }
}
