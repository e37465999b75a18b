package dev.coalesce.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What the tests that move time rely on: tasks run when the test's time reaches them. */
class ManualTimeTest {

  @Test
  void stoppedTimeMovesOnlyWhenAdvanced() {
    ManualTime time = ManualTime.stopped();
    Instant start = time.clock().instant();
    long nanos = time.nanoTime();
    assertThat(time.clock().instant()).isEqualTo(start);

    time.advance(Duration.ofSeconds(7));

    assertThat(time.clock().instant()).isEqualTo(start.plusSeconds(7));
    assertThat(time.nanoTime() - nanos).isEqualTo(Duration.ofSeconds(7).toNanos());
  }

  @Test
  void aFixedDelayTaskRunsEachTimeTheTestAdvancesPastItsDelay() throws Exception {
    ManualTime time = ManualTime.stopped();
    ScheduledExecutorService scheduler = time.newScheduler("manual-test");
    List<String> runs = new CopyOnWriteArrayList<>();
    scheduler.scheduleWithFixedDelay(
        () -> runs.add(Thread.currentThread().getName()), 1, 1, TimeUnit.HOURS);
    Future<String> now = scheduler.submit(() -> "at once");
    assertThat(now.get(10, TimeUnit.SECONDS)).isEqualTo("at once");
    assertThat(runs).isEmpty();

    time.advance(Duration.ofMinutes(59));
    assertThat(scheduler.submit(() -> "after 59 min").get(10, TimeUnit.SECONDS)).isNotNull();
    assertThat(runs).as("not due yet").isEmpty();

    time.advance(Duration.ofMinutes(1));
    await().atMost(Duration.ofSeconds(10)).until(() -> runs.size() == 1);
    time.advance(Duration.ofHours(1));
    await().atMost(Duration.ofSeconds(10)).until(() -> runs.size() == 2);
    assertThat(runs).containsOnly("manual-test");

    scheduler.shutdown();
    assertThat(scheduler.awaitTermination(10, TimeUnit.SECONDS))
        .as("a periodic task stops at shutdown")
        .isTrue();
  }

  @Test
  void advanceAndRunDueReturnsOnceWhatWasDueHasRun() {
    ManualTime time = ManualTime.stopped();
    ScheduledExecutorService first = time.newScheduler("manual-first");
    ScheduledExecutorService second = time.newScheduler("manual-second");
    List<String> runs = new CopyOnWriteArrayList<>();
    first.scheduleWithFixedDelay(() -> runs.add("every 100 ms"), 100, 100, TimeUnit.MILLISECONDS);
    second.schedule(() -> runs.add("after 1 s"), 1, TimeUnit.SECONDS);

    time.advanceAndRunDue(Duration.ofMillis(100));
    assertThat(runs).containsExactly("every 100 ms");
    time.advanceAndRunDue(Duration.ofMillis(900));
    assertThat(runs).containsExactlyInAnyOrder("every 100 ms", "every 100 ms", "after 1 s");
    first.shutdownNow();
    second.shutdownNow();
  }

  @Test
  void aDelayedTaskStillRunsAfterShutdownWhenItsTimeComes() throws Exception {
    ManualTime time = ManualTime.stopped();
    ScheduledExecutorService scheduler = time.newScheduler("manual-test");
    Future<?> delayed = scheduler.schedule(() -> {}, 1, TimeUnit.SECONDS);
    scheduler.shutdown();
    assertThat(delayed).isNotDone();

    time.advance(Duration.ofSeconds(1));

    assertThat(scheduler.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    assertThat(delayed).as("run, not dropped").isDone().isNotCancelled();
  }

  @Test
  void runningTimeFollowsTheSystemsAndJumpsWhenAdvanced() {
    ManualTime time = ManualTime.running();
    Instant before = Instant.now();
    time.advance(Duration.ofHours(1));
    assertThat(time.clock().instant()).isAfterOrEqualTo(before.plus(Duration.ofMinutes(59)));
    long nanos = time.nanoTime();
    await().atMost(Duration.ofSeconds(10)).until(() -> time.nanoTime() > nanos);
  }
}
