package dev.coalesce.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.coalesce.redis.CoalesceSettings;
import dev.coalesce.testing.CapturedLogs;
import dev.coalesce.testing.ManualTime;
import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.RedisServerProcess;
import dev.coalesce.testing.Resp;
import dev.coalesce.testing.TestDatabase;
import dev.coalesce.testing.TestRedisClients;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.hibernate.SessionFactory;
import org.hibernate.stat.Statistics;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;

/**
 * A Redis whose script cache is empty (a replica promoted by a failover: scripts are not
 * replicated; or {@code SCRIPT FLUSH}) while the cache runs. Its pipelined script calls (a load's
 * write-backs, a bulk lock) then meet {@code NOSCRIPT}, which Redisson does not recover inside a
 * pipeline, so until some single call loaded the script again every pipeline failed and the cache
 * stayed off: reads missed for good. Such a failure now loads the script on every master, and the
 * outage it starts ends at the next retry, like any other. Meanwhile the region clear that met it
 * is kept and resent, so no read serves what the region held before it.
 */
@RealServices
class ScriptCacheLossTest {

  static RedisServerProcess redis;
  static RedissonClient client;
  static SessionFactory factory;
  static TestDatabase database;
  // running: the cache compares session timestamps (this time) with Redis TIME
  static final ManualTime time = ManualTime.running();
  static final List<Long> IDS = LongStream.rangeClosed(1, 20).boxed().toList();

  @BeforeAll
  static void boot(TestDatabase db) {
    database = db;
    redis = RedisServerProcess.start();
    // NOSCRIPT is an error reply, not a timeout: a client timeout a loaded machine does not reach
    client = TestRedisClients.failingAfter(redis.address(), Duration.ofSeconds(2));
    factory =
        Boot.factory(
            db,
            Map.of(CoalesceSettings.REDIS_CLIENT, client, CoalesceSettings.NAMESPACE, "scripts"),
            time,
            Post.class,
            Author.class);
    factory.inTransaction(
        session -> IDS.forEach(id -> session.persist(new Post(id, "post " + id))));
  }

  @AfterAll
  static void close() {
    if (factory != null) {
      factory.close();
    }
    if (client != null) {
      client.shutdown();
    }
    if (redis != null) {
      redis.close();
    }
  }

  /**
   * Loads every post in one multi-get, checks that each has the title the database holds ({@code
   * prefix} and its id), and returns how many came from the cache.
   */
  static long cachedOfOneLoad(String prefix) {
    Statistics stats = Boot.settled(factory);
    stats.clear();
    List<Post> posts = factory.fromTransaction(s -> s.findMultiple(Post.class, IDS));
    assertThat(posts)
        .hasSize(IDS.size())
        .doesNotContainNull()
        .allSatisfy(post -> assertThat(post.getTitle()).isEqualTo(prefix + post.getId()));
    return Boot.settled(factory).getSecondLevelCacheHitCount();
  }

  @Test
  void afterTheServerLosesTheScriptTheCacheServesAgainWithinAFewRetryIntervals() throws Exception {
    factory.getCache().evictAll();
    // warm before the script cache is emptied
    Boot.warmUntilEveryRowHits(factory, Post.class, IDS, "script cache");

    CapturedLogs logs = CapturedLogs.of("dev.coalesce");
    try (Resp resp = new Resp(redis.host(), redis.port())) {
      assertThat(resp.command("SCRIPT", "FLUSH")).isEqualTo("OK");
    }
    // the rows change behind the cache, and the region clear that follows meets NOSCRIPT: no load
    // may serve the cached titles from before it (cachedOfOneLoad checks every title)
    try (Connection connection = database.connect();
        Statement statement = connection.createStatement()) {
      statement.executeUpdate("update post set title = 'changed ' || id");
    }
    factory.getCache().evictAll();
    long emptied = time.nanoTime();
    List<Long> hits = new ArrayList<>();
    // Each load moves time by half a retry interval instead of waiting for it.
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> {
              time.advance(Duration.ofMillis(500));
              hits.add(cachedOfOneLoad("changed "));
              return hits.get(hits.size() - 1) == IDS.size();
            });
    logs.close();
    System.out.printf("[script cache emptied] hits of each load after: %s%n", hits);
    assertThat(logs.warningsAndErrors())
        .as("the loss is one line that says what happened, not that Redis is unreachable")
        .singleElement()
        .satisfies(
            line ->
                assertThat(line)
                    .startsWith("SessionFactory 'multiget-test': Second-level cache: Redis at")
                    .contains("had lost the Lua scripts of Coalesce")
                    .contains("it restarted, a failover promoted a replica, or SCRIPT FLUSH ran")
                    .doesNotContain("unreachable"));
    assertThat(Duration.ofNanos(time.nanoTime() - emptied))
        .as("the cache serves again a few retry intervals after its script was lost: %s", hits)
        .isLessThanOrEqualTo(Duration.ofSeconds(5));
    String title = factory.fromTransaction(session -> session.find(Post.class, 7L).getTitle());
    assertThat(title).isEqualTo("changed 7");
  }
}
