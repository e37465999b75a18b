package dev.coalesce.samples.spring;

import dev.coalesce.buffer.BufferStats;
import dev.coalesce.buffer.CounterBuffer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

/**
 * What {@code mvn spring-boot:run} shows: events recorded through the repository from a few
 * threads, one flush, and the totals read back with {@code findAllById}. Off when {@code
 * tracker.demo=false} (the tests).
 */
@Component
@ConditionalOnProperty(name = "tracker.demo", havingValue = "true")
class Demo implements ApplicationRunner {

  private static final int ISSUES = 100;
  private static final int THREADS = 4;
  private static final int EVENTS_PER_THREAD = 1_000;

  private final ProjectRepository projects;
  private final IssueRepository issues;
  private final IssueEvents events;
  private final CounterBuffer buffer;
  private final Clock clock;

  Demo(
      ProjectRepository projects,
      IssueRepository issues,
      IssueEvents events,
      CounterBuffer buffer,
      Clock clock) {
    this.projects = projects;
    this.issues = issues;
    this.events = events;
    this.buffer = buffer;
    this.clock = clock;
  }

  @Override
  public void run(ApplicationArguments args) throws InterruptedException, ExecutionException {
    Project project = projects.save(new Project("demo"));
    List<Issue> created = new ArrayList<>();
    for (int i = 0; i < ISSUES; i++) {
      created.add(new Issue(project, "Error #" + i, clock.instant()));
    }
    List<Long> ids = issues.saveAll(created).stream().map(Issue::getId).toList();

    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      List<Future<?>> running = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        running.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < EVENTS_PER_THREAD; i++) {
                    // Half of the events go to the first issue: a hot row.
                    long id = i % 2 == 0 ? ids.get(0) : ids.get(i % ISSUES);
                    events.record(id);
                  }
                }));
      }
      for (Future<?> future : running) {
        future.get();
      }
    } finally {
      pool.shutdown();
    }
    long sent = (long) THREADS * EVENTS_PER_THREAD;
    long rows = buffer.flush();
    long total = issues.findAllById(ids).stream().mapToLong(Issue::getTimesSeen).sum();
    BufferStats stats = buffer.stats();
    System.out.printf(
        "%,d events recorded through IssueRepository; the flush updated %,d rows;"
            + " the %d issues now total %,d (%s)%n%s%n",
        sent, rows, ISSUES, total, total == sent ? "every event counted" : "MISMATCH", stats);
  }
}
