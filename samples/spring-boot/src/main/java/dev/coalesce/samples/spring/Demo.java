package dev.coalesce.samples.spring;

import dev.coalesce.buffer.BufferStats;
import dev.coalesce.buffer.CounterBuffer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.ExitCodeGenerator;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * The start-up demo of {@code mvn -pl samples/spring-boot -am -DskipTests package -Pdemo}: events
 * recorded through the repository from a few threads, a last flush, the totals read back with
 * {@code findAllById}, and the buffer's figures from {@link BufferStats}. Off when {@code
 * tracker.demo=false} (the tests). The application exits with 1 when the figures disagree.
 */
@Component
@ConditionalOnProperty(name = "tracker.demo", havingValue = "true")
class Demo implements ApplicationRunner, ExitCodeGenerator {

  private static final int ISSUES = 100;
  private static final int THREADS = 4;
  private static final int EVENTS_PER_THREAD = 1_000;

  private final ProjectRepository projects;
  private final IssueRepository issues;
  private final IssueEvents events;
  private final CounterBuffer buffer;
  private final Clock clock;
  private final Environment environment;
  private volatile int exitCode;

  Demo(
      ProjectRepository projects,
      IssueRepository issues,
      IssueEvents events,
      CounterBuffer buffer,
      Clock clock,
      Environment environment) {
    this.projects = projects;
    this.issues = issues;
    this.events = events;
    this.buffer = buffer;
    this.clock = clock;
    this.environment = environment;
  }

  /** Half of a thread's events go to the first issue (a hot row), the rest spread over others. */
  private static int issueOfEvent(int event) {
    return event % 2 == 0 ? 0 : event % ISSUES;
  }

  @Override
  public void run(ApplicationArguments args) throws InterruptedException, ExecutionException {
    System.out.printf(
        "Spring Boot sample on PostgreSQL %s, schema %s (its tables recreated at start);"
            + " Redis %s, keys under '%s:'; Actuator on http://127.0.0.1:%s/actuator"
            + " until the demo ends%n",
        environment.getProperty("spring.datasource.url"),
        environment.getProperty("spring.jpa.properties.hibernate.default_schema"),
        environment.getProperty("coalesce.redis.address"),
        environment.getProperty("coalesce.redis.namespace"),
        environment.getProperty("local.server.port"));

    Project project = projects.save(new Project("demo"));
    List<Issue> created = new ArrayList<>();
    for (int i = 0; i < ISSUES; i++) {
      created.add(new Issue(project, "Error #" + i, clock.instant()));
    }
    List<Long> ids = issues.saveAll(created).stream().map(Issue::getId).toList();
    Set<Long> hit = new LinkedHashSet<>();
    for (int i = 0; i < EVENTS_PER_THREAD; i++) {
      hit.add(ids.get(issueOfEvent(i)));
    }

    BufferStats before = buffer.stats();
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      List<Future<?>> running = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        running.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < EVENTS_PER_THREAD; i++) {
                    events.record(ids.get(issueOfEvent(i)));
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
    long rowsOfLastFlush = buffer.flush();
    BufferStats after = buffer.stats();
    long total = issues.findAllById(ids).stream().mapToLong(Issue::getTimesSeen).sum();

    // BufferStats counts since the factory started; the demo's share is the difference. Timer
    // flushes (coalesce.buffer.flush-interval) run while events arrive, so the last flush()
    // updates only what they left: each flush writes one UPDATE per issue it finds changed.
    long accepted = after.incrementsAccepted() - before.incrementsAccepted();
    long rowsFlushed = after.rowsFlushed() - before.rowsFlushed();
    long claims = after.flushes() - before.flushes();
    boolean consistent =
        accepted == sent && total == sent && rowsFlushed >= hit.size() && after.rowsFailed() == 0;
    System.out.printf(
        "%,d events recorded through IssueRepository on %d of the %d issues;"
            + " BufferStats: %,d increments accepted%n"
            + "%,d row updates of times_seen (BufferStats.rowsFlushed), %,d partition claims"
            + " (BufferStats.flushes): %,d by the timer flushes while events arrived,"
            + " %,d by the last flush()%n"
            + "the %d issues now total %,d, read back with findAllById (%s)%n"
            + "%s%n",
        sent,
        hit.size(),
        ISSUES,
        accepted,
        rowsFlushed,
        claims,
        rowsFlushed - rowsOfLastFlush,
        rowsOfLastFlush,
        ISSUES,
        total,
        consistent ? "every event counted" : "MISMATCH",
        after);
    exitCode = consistent ? 0 : 1;
  }

  @Override
  public int getExitCode() {
    return exitCode;
  }
}
