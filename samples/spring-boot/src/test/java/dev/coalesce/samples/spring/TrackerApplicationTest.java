package dev.coalesce.samples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.JsonPath;
import dev.coalesce.buffer.CounterBuffer;
import dev.coalesce.testing.CountingRedisProxy;
import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.TestDatabase;
import dev.coalesce.testing.TestRedis;
import jakarta.persistence.EntityManagerFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.hibernate.SessionFactory;
import org.hibernate.stat.Statistics;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Boots the application against real PostgreSQL and Redis (a schema and a key namespace of this
 * class, from {@link RealServices}), with only the test's connection details added to {@code
 * application.properties}. Redis is reached through a proxy that records the commands on the wire.
 */
@RealServices
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"tracker.demo=false", "spring.sql.init.mode=never"})
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class TrackerApplicationTest {

  private static TestDatabase database;
  private static TestRedis redis;
  private static CountingRedisProxy wire;

  @BeforeAll
  static void services(TestDatabase testDatabase, TestRedis testRedis) throws Exception {
    database = testDatabase;
    redis = testRedis;
    wire = CountingRedisProxy.start(redis.host(), redis.port());
  }

  @AfterAll
  static void closeProxy() {
    wire.close();
  }

  /** Read when the application context starts, which is after {@link #services}. */
  @DynamicPropertySource
  static void connectionDetails(DynamicPropertyRegistry registry) {
    registry.add("spring.datasource.url", () -> database.jdbcUrl());
    registry.add("spring.datasource.username", () -> database.user());
    registry.add("spring.datasource.password", () -> database.password());
    registry.add("spring.jpa.hibernate.ddl-auto", () -> "create-drop");
    registry.add("spring.jpa.properties.hibernate.default_schema", () -> database.schema());
    registry.add("coalesce.redis.address", () -> wire.address());
    registry.add("coalesce.redis.namespace", () -> redis.namespace());
    // The test flushes when it wants to; no timer flush in the middle of a count.
    registry.add("coalesce.buffer.flush-interval", () -> "1h");
    registry.add("spring.jpa.properties.hibernate.generate_statistics", () -> "true");
  }

  @Autowired ProjectRepository projects;
  @Autowired IssueRepository issues;
  @Autowired IssueEvents events;
  @Autowired CounterBuffer buffer;
  @Autowired EntityManagerFactory entityManagerFactory;
  @LocalServerPort int port;

  @Test
  void incrementsThroughTheRepositoryReachTheDatabaseAfterAFlush() throws Exception {
    Project project = projects.save(new Project("shop"));
    Issue hot = issues.save(new Issue(project, "NullPointerException in pay", Instant.now()));
    Issue cold = issues.save(new Issue(project, "KeyError: 'session_id'", Instant.now()));
    int threads = 4;
    int perThread = 250;

    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        done.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < perThread; i++) {
                    events.record(hot.getId());
                  }
                }));
      }
      for (Future<?> future : done) {
        future.get();
      }
    } finally {
      pool.shutdown();
    }
    events.record(cold.getId());

    long sentToHot = (long) threads * perThread;
    // Buffered, not yet in the database: the events issued no UPDATE of times_seen.
    assertThat(timesSeenInDatabase(hot.getId())).isZero();
    assertThat(buffer.pending(Issue.class, hot.getId(), "timesSeen")).isEqualTo(sentToHot);

    long rows = buffer.flush();

    assertThat(rows).isEqualTo(2);
    assertThat(timesSeenInDatabase(hot.getId())).isEqualTo(sentToHot);
    assertThat(timesSeenInDatabase(cold.getId())).isEqualTo(1);
    assertThat(buffer.pending(Issue.class, hot.getId(), "timesSeen")).isZero();
    // And the repository sees the flushed value (the flush evicted the cached copy).
    assertThat(issues.findById(hot.getId()).orElseThrow().getTimesSeen()).isEqualTo(sentToHot);
  }

  @Test
  void savingADetachedCopyDoesNotCountItsIncrement() {
    Project project = projects.save(new Project("admin"));
    Issue issue = issues.save(new Issue(project, "SSLHandshakeException", Instant.now()));
    events.record(issue.getId());

    // Loaded outside a transaction: a detached copy. save() merges it, and a merge cannot tell an
    // increment from a stale copy, so it never creates a delta (see the samples README).
    Issue detached = issues.findById(issue.getId()).orElseThrow();
    detached.setTimesSeen(detached.getTimesSeen() + 1);
    issues.save(detached);
    buffer.flush();

    assertThat(issues.findById(issue.getId()).orElseThrow().getTimesSeen()).isEqualTo(1);
  }

  @Test
  void findAllByIdOfCachedIssuesCostsOneMultiGetAndNoSql() {
    Project project = projects.save(new Project("api"));
    List<Issue> created = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      created.add(new Issue(project, "TimeoutError #" + i, Instant.now()));
    }
    List<Long> ids = issues.saveAll(created).stream().map(Issue::getId).toList();
    List<Long> reversed = new ArrayList<>(ids);
    Collections.reverse(reversed);
    issues.findAllById(reversed); // warms the cache for ids that are not cached yet

    Statistics statistics = entityManagerFactory.unwrap(SessionFactory.class).getStatistics();
    long sqlBefore = statistics.getPrepareStatementCount();
    long hitsBefore = statistics.getSecondLevelCacheHitCount();
    wire.reset();

    List<Issue> found = issues.findAllById(reversed);

    List<CountingRedisProxy.RoundTrip> roundTrips = wire.roundTrips();
    int commands = wire.commandCount();
    System.out.printf(
        "findAllById of 100 cached ids: %d Redis commands in %d round trips %s, %d SQL%n",
        commands, roundTrips.size(), roundTrips, statistics.getPrepareStatementCount() - sqlBefore);
    assertThat(found).extracting(Issue::getId).containsExactlyElementsOf(reversed);
    assertThat(statistics.getPrepareStatementCount() - sqlBefore).as("SQL statements").isZero();
    assertThat(statistics.getSecondLevelCacheHitCount() - hitsBefore).isEqualTo(100);
    assertThat(commands).as("Redis commands on the wire: %s", roundTrips).isLessThanOrEqualTo(2);
  }

  @Test
  void theActuatorShowsTheMetersAndTheHealth() throws Exception {
    Project project = projects.save(new Project("ops"));
    Issue issue = issues.save(new Issue(project, "TimeoutError in sync", Instant.now()));
    double before = increments();

    for (int i = 0; i < 7; i++) {
      events.record(issue.getId());
    }

    assertThat(increments() - before).as("coalesce.buffer.increments").isEqualTo(7);
    double flushedBefore = meter("coalesce.buffer.rows.flushed");
    long rows = buffer.flush(); // nothing of this test is left for the others' flushes
    assertThat(rows).isPositive();
    assertThat(meter("coalesce.buffer.rows.flushed") - flushedBefore).isEqualTo(rows);
    List<String> names = JsonPath.read(get("/actuator/metrics", 200), "$.names");
    assertThat(names)
        .contains(
            "coalesce.buffer.increments",
            "coalesce.buffer.rows.flushed",
            "coalesce.buffer.pending.age",
            "coalesce.redis.available");
    String health = get("/actuator/health", 200);
    assertThat(JsonPath.<String>read(health, "$.components.coalesce.status")).isEqualTo("UP");
    assertThat(JsonPath.<Boolean>read(health, "$.components.coalesce.details.storeReachable"))
        .isTrue();
  }

  private double increments() throws Exception {
    return meter("coalesce.buffer.increments");
  }

  private double meter(String name) throws Exception {
    String meter = get("/actuator/metrics/" + name, 200);
    return JsonPath.<Number>read(meter, "$.measurements[0].value").doubleValue();
  }

  private String get(String path, int expectedStatus) throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(30))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode())
        .as("GET %s: %s", path, response.body())
        .isEqualTo(expectedStatus);
    return response.body();
  }

  private static long timesSeenInDatabase(long issueId) throws SQLException {
    try (Connection connection = database.connect();
        PreparedStatement select =
            connection.prepareStatement("select times_seen from issue where id = ?")) {
      select.setLong(1, issueId);
      try (ResultSet row = select.executeQuery()) {
        assertThat(row.next()).as("issue %d exists", issueId).isTrue();
        return row.getLong(1);
      }
    }
  }
}
