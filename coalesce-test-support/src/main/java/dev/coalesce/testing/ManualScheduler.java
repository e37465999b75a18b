package dev.coalesce.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Delayed;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.RunnableScheduledFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * A single-thread scheduler on a {@link ManualTime}: a task runs on the scheduler's own thread once
 * that time reaches it, whether the system's time got there or the test advanced it. Behaves as a
 * single-thread {@code ScheduledThreadPoolExecutor} with its default policies (at shutdown, delayed
 * tasks still run when due, periodic ones stop; {@code shutdownNow} interrupts the thread).
 *
 * <p>Over our usual 250 lines: the {@code ScheduledExecutorService} contract is that wide, and its
 * task class belongs to its queue.
 */
final class ManualScheduler extends AbstractExecutorService implements ScheduledExecutorService {

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final PriorityQueue<Task<?>> queue = new PriorityQueue<>();
  private final CountDownLatch terminated = new CountDownLatch(1);
  private final AtomicLong sequence = new AtomicLong();
  private final LongSupplier time;
  private final Consumer<ManualScheduler> terminatedCallback;
  private final Thread thread;
  private boolean shutdown;
  private boolean runningTask;

  ManualScheduler(
      String threadName, LongSupplier time, Consumer<ManualScheduler> terminatedCallback) {
    this.time = time;
    this.terminatedCallback = terminatedCallback;
    thread = new Thread(this::work, threadName);
    thread.setDaemon(true);
    thread.start();
  }

  void timeMoved() {
    lock.lock();
    try {
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void work() {
    try {
      while (true) {
        Task<?> task = nextDue();
        if (task == null) {
          return;
        }
        try {
          task.run();
        } finally {
          lock.lock();
          try {
            runningTask = false;
            changed.signalAll();
          } finally {
            lock.unlock();
          }
        }
      }
    } catch (InterruptedException e) {
      // shutdownNow
    } finally {
      terminatedCallback.accept(this);
      terminated.countDown();
    }
  }

  /** Waits for the first task due, or returns null once shut down with nothing left. */
  private Task<?> nextDue() throws InterruptedException {
    lock.lock();
    try {
      while (true) {
        Task<?> head = queue.peek();
        if (head == null) {
          if (shutdown) {
            return null;
          }
          changed.await();
          continue;
        }
        long wait = head.due - time.getAsLong();
        if (wait <= 0) {
          runningTask = true;
          return queue.poll();
        }
        // this time never runs slower than the system's: waking after `wait` is never late
        changed.awaitNanos(wait);
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits until no task runs and none is due at {@code now}, or the thread ended.
   *
   * @return false if that did not happen before {@code deadlineNanos} (system time)
   */
  boolean awaitIdle(long now, long deadlineNanos) throws InterruptedException {
    lock.lock();
    try {
      while (!isTerminated() && (runningTask || dueAt(now))) {
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        changed.awaitNanos(left);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  private boolean dueAt(long now) {
    Task<?> head = queue.peek();
    return head != null && head.due - now <= 0;
  }

  private <V> Task<V> enqueue(Task<V> task) {
    lock.lock();
    try {
      if (shutdown) {
        throw new RejectedExecutionException(thread.getName() + " is shut down");
      }
      queue.add(task);
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    return task;
  }

  private void requeue(Task<?> task) {
    lock.lock();
    try {
      if (shutdown) {
        task.cancel(false);
      } else {
        queue.add(task);
        changed.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  private void remove(Task<?> task) {
    lock.lock();
    try {
      queue.remove(task);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
    return enqueue(new Task<Void>(command, null, unit.toNanos(delay), 0));
  }

  @Override
  public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
    return enqueue(new Task<>(callable, unit.toNanos(delay)));
  }

  @Override
  public ScheduledFuture<?> scheduleAtFixedRate(
      Runnable command, long initialDelay, long period, TimeUnit unit) {
    if (period <= 0) {
      throw new IllegalArgumentException("period " + period);
    }
    return enqueue(new Task<Void>(command, null, unit.toNanos(initialDelay), unit.toNanos(period)));
  }

  @Override
  public ScheduledFuture<?> scheduleWithFixedDelay(
      Runnable command, long initialDelay, long delay, TimeUnit unit) {
    if (delay <= 0) {
      throw new IllegalArgumentException("delay " + delay);
    }
    return enqueue(new Task<Void>(command, null, unit.toNanos(initialDelay), -unit.toNanos(delay)));
  }

  @Override
  public void execute(Runnable command) {
    schedule(command, 0, TimeUnit.NANOSECONDS);
  }

  @Override
  public void shutdown() {
    List<Task<?>> periodic = new ArrayList<>();
    lock.lock();
    try {
      shutdown = true;
      queue.stream().filter(Task::isPeriodic).forEach(periodic::add);
      queue.removeAll(periodic);
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    periodic.forEach(task -> task.cancel(false));
  }

  @Override
  public List<Runnable> shutdownNow() {
    List<Runnable> pending;
    lock.lock();
    try {
      shutdown = true;
      pending = new ArrayList<>(queue);
      queue.clear();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    thread.interrupt();
    return pending;
  }

  @Override
  public boolean isShutdown() {
    lock.lock();
    try {
      return shutdown;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean isTerminated() {
    return terminated.getCount() == 0;
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    return terminated.await(timeout, unit);
  }

  /** A task due at {@code due} on this time; periodic at a fixed rate (> 0) or delay (< 0). */
  private final class Task<V> extends FutureTask<V> implements RunnableScheduledFuture<V> {

    private final long period;
    private final long order = sequence.getAndIncrement();
    private volatile long due;

    Task(Runnable command, V result, long delayNanos, long period) {
      super(command, result);
      this.due = time.getAsLong() + Math.max(0, delayNanos);
      this.period = period;
    }

    Task(Callable<V> callable, long delayNanos) {
      super(callable);
      this.due = time.getAsLong() + Math.max(0, delayNanos);
      this.period = 0;
    }

    @Override
    public boolean isPeriodic() {
      return period != 0;
    }

    @Override
    public void run() {
      if (!isPeriodic()) {
        super.run();
      } else if (runAndReset()) {
        due = period > 0 ? due + period : time.getAsLong() - period;
        requeue(this);
      }
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      boolean cancelled = super.cancel(mayInterruptIfRunning);
      if (cancelled) {
        remove(this);
      }
      return cancelled;
    }

    @Override
    public long getDelay(TimeUnit unit) {
      return unit.convert(due - time.getAsLong(), TimeUnit.NANOSECONDS);
    }

    @Override
    public int compareTo(Delayed other) {
      if (other instanceof Task<?> task) {
        int byDue = Long.compare(due - task.due, 0);
        return byDue != 0 ? byDue : Long.compare(order, task.order);
      }
      return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
    }
  }
}
