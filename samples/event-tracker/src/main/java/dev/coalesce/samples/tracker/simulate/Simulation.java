package dev.coalesce.samples.tracker.simulate;

import dev.coalesce.buffer.BufferStats;
import dev.coalesce.buffer.CounterBuffer;
import dev.coalesce.samples.tracker.model.Activity;
import dev.coalesce.samples.tracker.model.ActivityType;
import dev.coalesce.samples.tracker.model.Issue;
import dev.coalesce.samples.tracker.model.IssueStatus;
import dev.coalesce.samples.tracker.model.Project;
import dev.coalesce.samples.tracker.pages.IssuePage;
import dev.coalesce.samples.tracker.pages.StreamPage;
import dev.coalesce.samples.tracker.simulate.SimulationOptions.Mode;
import dev.coalesce.samples.tracker.simulate.SimulationResult.PageCost;
import dev.coalesce.samples.tracker.stream.IssueStream;
import dev.coalesce.samples.tracker.stream.LocalIssueStream;
import dev.coalesce.samples.tracker.stream.RedisIssueStream;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.EntityTransaction;
import jakarta.persistence.LockModeType;
import jakarta.persistence.Persistence;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import me.tongfei.progressbar.ProgressBar;
import org.hibernate.SessionFactory;
import org.hibernate.stat.Statistics;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.client.RedisException;
import org.redisson.config.Config;

/**
 * One run of {@code simulate}: creates the projects and issues, sends the events from several
 * threads (one transaction per event, as a web request would), renders stream pages while they
 * arrive, flushes, and checks the database against what was sent.
 *
 * <p>Over our usual 250 lines: the sample's one scenario from the first event to the final check,
 * kept in one file so that a reader follows it from top to bottom.
 */
public final class Simulation {

  /** The persistence unit of {@code META-INF/persistence.xml}. */
  public static final String PERSISTENCE_UNIT = "event-tracker";

  /** An issue's {@code lastSeen} column is written at most this often; the stream has the rest. */
  static final Duration LAST_SEEN_RESOLUTION = Duration.ofMinutes(1);

  /** One event in this many makes a person resolve the issue (the next event is a regression). */
  private static final int RESOLVE_ONE_IN = 2_000;

  /** A deploy is announced every this many events. */
  private static final long DEPLOY_EVERY = 25_000;

  private static final int MAX_ERRORS_KEPT = 5;
  private static final String[] PEOPLE = {"alice", "bob", "carol"};
  private static final String[] ERRORS = {
    "NullPointerException in CheckoutController.pay",
    "TimeoutError: GET /api/cart took longer than 30s",
    "IntegrityError: duplicate key value violates unique constraint \"user_email\"",
    "KeyError: 'session_id'",
    "OutOfMemoryError: Java heap space in ReportExporter",
    "ConnectionResetError: upstream closed the connection",
    "TypeError: cannot read properties of undefined (reading 'price')",
    "IllegalStateException: order 0 has no lines",
    "SSLHandshakeException: certificate expired",
    "DeadlockDetected while updating inventory",
  };

  private final SimulationOptions options;
  private final PrintStream out;
  private final ProgressDisplay progressDisplay;
  private final Clock clock;

  /** A run that prints on {@code out}, its progress as {@link ProgressDisplay#LINES}. */
  public Simulation(SimulationOptions options, PrintStream out, Clock clock) {
    this(options, out, ProgressDisplay.LINES, clock);
  }

  /** A run that prints on {@code out}, its progress bar as {@code progressDisplay}. */
  public Simulation(
      SimulationOptions options, PrintStream out, ProgressDisplay progressDisplay, Clock clock) {
    if (options.mode() == Mode.COMPARE) {
      throw new IllegalArgumentException(
          "a Simulation runs one mode; run COMPARE as PLAIN then COALESCE");
    }
    this.options = options;
    this.out = out;
    this.progressDisplay = progressDisplay;
    this.clock = clock;
  }

  /** Runs it; the services it opened are closed when it returns. */
  public SimulationResult run() {
    RoundTripCounter roundTrips = new RoundTripCounter();
    RedissonClient redis = options.redis() == null ? null : connectRedis(roundTrips);
    try {
      if (redis != null) {
        // A fresh start: the tables are recreated below, so counts left in Redis by an earlier run
        // (stream ids, deltas not yet flushed) must not be applied to the new rows.
        redis.getKeys().deleteByPattern(options.namespace() + ":*");
      }
      EntityManagerFactory emf =
          Persistence.createEntityManagerFactory(PERSISTENCE_UNIT, settings(redis));
      try {
        IssueStream stream =
            redis == null
                ? new LocalIssueStream(options.streamCapacity())
                : new RedisIssueStream(
                    redis, options.namespace() + ":stream", options.streamCapacity());
        return run(emf, stream, redis == null ? null : roundTrips);
      } finally {
        emf.close();
      }
    } finally {
      if (redis != null) {
        redis.shutdown();
      }
    }
  }

  private SimulationResult run(
      EntityManagerFactory emf, IssueStream stream, RoundTripCounter roundTrips) {
    Statistics statistics = emf.unwrap(SessionFactory.class).getStatistics();
    Catalog catalog = createIssues(emf);
    ZipfSampler sampler = new ZipfSampler(options.issues(), options.skew(), options.seed());
    long hotProject = catalog.projectOf(sampler.hottest());
    statistics.clear();

    out.printf(
        "%s: %s%n",
        options.mode() == Mode.PLAIN ? "plain Hibernate" : "Coalesce",
        options.mode() == Mode.PLAIN
            ? "find, setTimesSeen(+1), commit; times_seen is an ordinary column, no cache"
            : "the same code; @BufferedCounter times_seen, multi-get second-level cache");
    long tripsBefore = roundTrips == null ? 0 : roundTrips.roundTrips();
    Load load = sendEvents(emf, stream, catalog, sampler, hotProject);
    long loadRoundTrips = roundTrips == null ? -1 : roundTrips.roundTrips() - tripsBefore;

    CounterBuffer buffer = options.mode() == Mode.COALESCE ? CounterBuffer.of(emf) : null;
    if (buffer != null) {
      buffer.flush();
    }
    long issueUpdates = statistics.getEntityStatistics(Issue.class.getName()).getUpdateCount();
    long counterRowUpdates;
    long flushes;
    long otherIssueUpdates;
    if (buffer != null) {
      BufferStats stats = buffer.stats();
      counterRowUpdates = stats.rowsFlushed();
      flushes = stats.flushes();
      otherIssueUpdates = issueUpdates;
    } else {
      counterRowUpdates = issueUpdates;
      flushes = -1;
      otherIssueUpdates = -1; // every UPDATE of an issue writes times_seen too
    }

    PageCost afterFlush = pageCost(emf, stream, hotProject, statistics, roundTrips);
    PageCost[] warm = new PageCost[3];
    for (int i = 0; i < warm.length; i++) {
      warm[i] = pageCost(emf, stream, hotProject, statistics, roundTrips);
    }
    Arrays.sort(warm, (a, b) -> Long.compare(a.redisRoundTrips(), b.redisRoundTrips()));

    long[] database = databaseCounts(emf, catalog);
    long total = 0;
    long wrong = 0;
    for (int i = 0; i < database.length; i++) {
      total += database[i];
      if (database[i] != load.sent().get(i)) {
        wrong++;
      }
    }
    String streamPage;
    String issuePage;
    EntityManager em = emf.createEntityManager();
    try {
      streamPage = StreamPage.load(em, stream, hotProject, options.pageSize()).render(10);
      issuePage = IssuePage.load(em, catalog.issueIds()[sampler.hottest()], 8).render();
    } finally {
      em.close();
    }
    return new SimulationResult(
        options,
        load.committed(),
        load.failed(),
        load.errors(),
        load.elapsed(),
        loadRoundTrips,
        counterRowUpdates,
        flushes,
        otherIssueUpdates,
        load.pages(),
        afterFlush,
        warm[warm.length / 2],
        total,
        wrong,
        load.sent().get(sampler.hottest()),
        database[sampler.hottest()],
        streamPage,
        issuePage);
  }

  private Map<String, Object> settings(RedissonClient redis) {
    Map<String, Object> settings = new HashMap<>();
    if (options.jdbcUrl() != null) {
      settings.put("jakarta.persistence.jdbc.url", options.jdbcUrl());
      settings.put("jakarta.persistence.jdbc.user", options.jdbcUser());
      settings.put("jakarta.persistence.jdbc.password", options.jdbcPassword());
    }
    settings.put("hibernate.hikari.maximumPoolSize", Integer.toString(options.threads() + 4));
    settings.put("hibernate.coalesce.namespace", options.namespace());
    if (redis != null) {
      // Coalesce uses the application's client (and never closes it): one client for the stream,
      // the buffer and the cache.
      settings.put("hibernate.coalesce.redis.client", redis);
    }
    if (options.mode() == Mode.PLAIN) {
      settings.put("hibernate.coalesce.buffer.enabled", "false");
      settings.put("hibernate.cache.use_second_level_cache", "false");
    }
    return settings;
  }

  private RedissonClient connectRedis(RoundTripCounter roundTrips) {
    Config config = new Config();
    config.useSingleServer().setAddress(options.redis());
    config.setNettyHook(roundTrips);
    try {
      return Redisson.create(config);
    } catch (RedisException e) {
      throw new IllegalStateException(
          "--redis " + options.redis() + ": cannot connect (" + e.getMessage() + ")", e);
    }
  }

  /** The ids the load works with, by issue index. */
  private record Catalog(long[] issueIds, long[] projectOfIssue) {
    long projectOf(int issue) {
      return projectOfIssue[issue];
    }
  }

  private Catalog createIssues(EntityManagerFactory emf) {
    long[] issueIds = new long[options.issues()];
    long[] projectOfIssue = new long[options.issues()];
    Instant now = clock.instant();
    inTransaction(
        emf,
        em -> {
          List<Project> projects = new ArrayList<>();
          for (int p = 0; p < options.projects(); p++) {
            Project project = new Project("project-" + (p + 1));
            em.persist(project);
            projects.add(project);
          }
          List<Issue> issues = new ArrayList<>();
          for (int i = 0; i < options.issues(); i++) {
            Project project = projects.get(i % projects.size());
            Issue issue = new Issue(project, title(i), now);
            em.persist(issue);
            em.persist(new Activity(project, issue, ActivityType.FIRST_SEEN, null, now));
            issues.add(issue);
            if (i % 200 == 199) {
              em.flush();
            }
          }
          em.flush();
          for (int i = 0; i < issues.size(); i++) {
            issueIds[i] = issues.get(i).getId();
            projectOfIssue[i] = issues.get(i).getProject().getId();
          }
        });
    return new Catalog(issueIds, projectOfIssue);
  }

  private static String title(int i) {
    // Issues go to projects round-robin; shifting by i / ERRORS.length varies the errors within
    // one.
    String error = ERRORS[(i + i / ERRORS.length) % ERRORS.length];
    return i < ERRORS.length ? error : error + " (variant " + (i / ERRORS.length) + ")";
  }

  private record Load(
      AtomicLongArray sent,
      long committed,
      long failed,
      List<String> errors,
      Duration elapsed,
      long pages) {}

  private Load sendEvents(
      EntityManagerFactory emf,
      IssueStream stream,
      Catalog catalog,
      ZipfSampler sampler,
      long hotProject) {
    AtomicLongArray sent = new AtomicLongArray(options.issues());
    AtomicLong tickets = new AtomicLong();
    LongAdder committed = new LongAdder();
    LongAdder failed = new LongAdder();
    ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
    LongAdder pages = new LongAdder();
    ExecutorService senders = Executors.newFixedThreadPool(options.threads());
    ScheduledExecutorService viewer = Executors.newSingleThreadScheduledExecutor();
    String task = options.mode() == Mode.PLAIN ? "plain Hibernate" : "Coalesce";
    ProgressBar progress = progressDisplay.start(task, options.events(), out);
    Instant started = clock.instant();
    try {
      viewer.scheduleWithFixedDelay(
          () -> renderWhileLoading(emf, stream, hotProject, progress, pages, errors, failed),
          200,
          500,
          TimeUnit.MILLISECONDS);
      List<Future<?>> running = new ArrayList<>();
      for (int t = 0; t < options.threads(); t++) {
        SplittableRandom random = new SplittableRandom(options.seed() * 31 + t);
        running.add(
            senders.submit(
                () -> {
                  long ticket;
                  while ((ticket = tickets.getAndIncrement()) < options.events()) {
                    int issue = sampler.next(random);
                    try {
                      if (ticket > 0 && ticket % DEPLOY_EVERY == 0) {
                        announceDeploy(emf, catalog.projectOf(issue));
                      }
                      recordEvent(emf, stream, catalog, issue);
                      sent.incrementAndGet(issue);
                      committed.increment();
                      if (random.nextInt(RESOLVE_ONE_IN) == 0) {
                        resolve(emf, catalog.issueIds()[issue], PEOPLE[random.nextInt(3)]);
                      }
                    } catch (RuntimeException e) {
                      failed.increment();
                      if (errors.size() < MAX_ERRORS_KEPT) {
                        errors.add(describe(e));
                      }
                    }
                    progress.step();
                  }
                }));
      }
      for (Future<?> sender : running) {
        await(sender);
      }
    } finally {
      senders.shutdownNow();
      viewer.shutdownNow();
      awaitTermination(senders);
      awaitTermination(viewer);
      progress.close();
    }
    Duration elapsed = Duration.between(started, clock.instant());
    return new Load(sent, committed.sum(), failed.sum(), List.copyOf(errors), elapsed, pages.sum());
  }

  /** One error event: the issue's counter goes up; a resolved issue becomes a regression. */
  private void recordEvent(
      EntityManagerFactory emf, IssueStream stream, Catalog catalog, int issueIndex) {
    long issueId = catalog.issueIds()[issueIndex];
    Instant now = clock.instant();
    inTransaction(
        emf,
        em -> {
          Issue issue = em.find(Issue.class, issueId);
          if (issue.getStatus() == IssueStatus.RESOLVED) {
            // Several events may see the resolved issue at once; the row lock lets one of them
            // flip it, so the activity log says "regression" once.
            em.refresh(issue, LockModeType.PESSIMISTIC_WRITE);
            if (issue.getStatus() == IssueStatus.RESOLVED) {
              issue.setStatus(IssueStatus.REGRESSED);
              em.persist(
                  new Activity(issue.getProject(), issue, ActivityType.SET_REGRESSION, null, now));
            }
          }
          issue.setTimesSeen(issue.getTimesSeen() + 1);
          if (issue.getLastSeen().isBefore(now.minus(LAST_SEEN_RESOLUTION))) {
            issue.setLastSeen(now);
          }
        });
    stream.add(catalog.projectOf(issueIndex), issueId, now);
  }

  private void resolve(EntityManagerFactory emf, long issueId, String person) {
    Instant now = clock.instant();
    inTransaction(
        emf,
        em -> {
          Issue issue = em.find(Issue.class, issueId, LockModeType.PESSIMISTIC_WRITE);
          if (issue.getStatus() != IssueStatus.RESOLVED) {
            issue.setStatus(IssueStatus.RESOLVED);
            em.persist(
                new Activity(issue.getProject(), issue, ActivityType.SET_RESOLVED, person, now));
          }
        });
  }

  private void announceDeploy(EntityManagerFactory emf, long projectId) {
    Instant now = clock.instant();
    inTransaction(
        emf,
        em ->
            em.persist(
                new Activity(
                    em.getReference(Project.class, projectId),
                    null,
                    ActivityType.DEPLOY_START,
                    null,
                    now)));
  }

  private void renderWhileLoading(
      EntityManagerFactory emf,
      IssueStream stream,
      long projectId,
      ProgressBar progress,
      LongAdder pages,
      ConcurrentLinkedQueue<String> errors,
      LongAdder failed) {
    try {
      EntityManager em = emf.createEntityManager();
      try {
        StreamPage page = StreamPage.load(em, stream, projectId, options.pageSize());
        pages.increment();
        if (!page.rows().isEmpty()) {
          StreamPage.Row top = page.rows().get(0);
          progress.setExtraMessage(
              String.format(
                  " | stream of project %d: #%d seen %,d",
                  projectId, top.issueId(), top.timesSeen()));
        }
      } finally {
        em.close();
      }
    } catch (RuntimeException e) {
      // A failed page is reported with the load's failures; the viewer keeps going.
      failed.increment();
      if (errors.size() < MAX_ERRORS_KEPT) {
        errors.add("stream page: " + describe(e));
      }
    }
  }

  private PageCost pageCost(
      EntityManagerFactory emf,
      IssueStream stream,
      long projectId,
      Statistics statistics,
      RoundTripCounter roundTrips) {
    long hits = statistics.getSecondLevelCacheHitCount();
    long misses = statistics.getSecondLevelCacheMissCount();
    long sql = statistics.getPrepareStatementCount();
    long trips = roundTrips == null ? 0 : roundTrips.roundTrips();
    int[] rows = new int[1];
    inTransaction(
        emf,
        em -> rows[0] = StreamPage.load(em, stream, projectId, options.pageSize()).rows().size());
    return new PageCost(
        rows[0],
        statistics.getSecondLevelCacheHitCount() - hits,
        statistics.getSecondLevelCacheMissCount() - misses,
        statistics.getPrepareStatementCount() - sql,
        roundTrips == null ? -1 : roundTrips.roundTrips() - trips);
  }

  /** {@code times_seen} of every issue, by issue index, read from the database (not the cache). */
  private long[] databaseCounts(EntityManagerFactory emf, Catalog catalog) {
    Map<Long, Integer> indexOfId = new HashMap<>();
    for (int i = 0; i < catalog.issueIds().length; i++) {
      indexOfId.put(catalog.issueIds()[i], i);
    }
    long[] counts = new long[catalog.issueIds().length];
    inTransaction(
        emf,
        em -> {
          List<Object[]> rows =
              em.createQuery("select i.id, i.timesSeen from Issue i", Object[].class)
                  .getResultList();
          for (Object[] row : rows) {
            counts[indexOfId.get((Long) row[0])] = (Long) row[1];
          }
        });
    return counts;
  }

  private interface Work {
    void run(EntityManager em);
  }

  private static void inTransaction(EntityManagerFactory emf, Work work) {
    EntityManager em = emf.createEntityManager();
    EntityTransaction tx = em.getTransaction();
    try {
      tx.begin();
      work.run(em);
      tx.commit();
    } catch (RuntimeException e) {
      if (tx.isActive()) {
        tx.rollback();
      }
      throw e;
    } finally {
      em.close();
    }
  }

  private static String describe(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = e.getClass().getSimpleName() + ": " + e.getMessage();
    return root == e ? message : message + " (cause: " + root + ")";
  }

  private static void await(Future<?> future) {
    try {
      future.get();
    } catch (ExecutionException e) {
      throw new IllegalStateException("an event sender failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while sending events", e);
    }
  }

  private static void awaitTermination(ExecutorService executor) {
    try {
      if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("threads of the simulation did not stop within 30s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while stopping the simulation's threads", e);
    }
  }
}
