package dev.coalesce.redis.internal;

import java.util.concurrent.ThreadFactory;

/**
 * Threads of Coalesce's own executors: daemons, so a factory that is never closed does not keep the
 * JVM alive, and named, so a thread dump says whose they are.
 */
public final class DaemonThreads {

  private DaemonThreads() {}

  /** A factory of daemon threads named {@code name}. */
  public static ThreadFactory named(String name) {
    return runnable -> {
      Thread thread = new Thread(runnable, name);
      thread.setDaemon(true);
      return thread;
    };
  }
}
