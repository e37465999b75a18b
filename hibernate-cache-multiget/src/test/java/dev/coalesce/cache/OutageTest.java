package dev.coalesce.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import dev.coalesce.redis.CoalesceSettings;
import dev.coalesce.testing.CapturedLogs;
import dev.coalesce.testing.CountingRedisProxy;
import dev.coalesce.testing.ManualTime;
import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.RedisServerProcess;
import dev.coalesce.testing.TestDatabase;
import dev.coalesce.testing.TestRedisClients;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.hibernate.SessionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;

/**
 * Redis unreachable (a proxy in front of it cuts every connection while the server keeps its data):
 * reads go to the database, writes succeed, nothing is thrown; an update made during the outage
 * invalidates its entry before cached reads resume, so the old cached value is never served.
 */
@RealServices
class OutageTest {

  static RedisServerProcess redis;
  static CountingRedisProxy proxy;
  static RedissonClient client;
  static SessionFactory factory;
  // running: the cache compares session timestamps (this time) with Redis TIME
  static final ManualTime time = ManualTime.running();

  @BeforeAll
  static void boot(TestDatabase db) {
    redis = RedisServerProcess.start();
    proxy = CountingRedisProxy.start(redis.host(), redis.port());
    client = TestRedisClients.fastFailing(proxy.address());
    factory =
        Boot.factory(
            db,
            Map.of(CoalesceSettings.REDIS_CLIENT, client, CoalesceSettings.NAMESPACE, "outage"),
            time,
            Post.class,
            Author.class);
  }

  @AfterAll
  static void close() {
    if (factory != null) {
      factory.close();
    }
    if (client != null) {
      client.shutdown();
    }
    if (proxy != null) {
      proxy.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  static String title(long id) {
    return factory.fromTransaction(session -> session.find(Post.class, id).getTitle());
  }

  @Test
  void anUpdateDuringAnOutageIsNeverHiddenByTheOldCachedValue() {
    factory.inTransaction(session -> session.persist(new Post(1L, "v1")));
    factory.getStatistics().clear();
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () -> {
              title(1L);
              return factory.getStatistics().getSecondLevelCacheHitCount() > 0;
            });

    CapturedLogs logs = CapturedLogs.of("dev.coalesce");
    proxy.block();
    long started = System.nanoTime();
    assertThat(title(1L)).isEqualTo("v1");
    factory.inTransaction(session -> session.find(Post.class, 1L).setTitle("v2"));
    assertThat(title(1L)).isEqualTo("v2");
    List<Post> multi = factory.fromTransaction(s -> s.findMultiple(Post.class, List.of(1L)));
    assertThat(multi).extracting(Post::getTitle).containsExactly("v2");
    System.out.printf(
        "[outage] reads, an update and a multi-get while Redis was unreachable took %d ms%n",
        (System.nanoTime() - started) / 1_000_000);

    proxy.unblock();
    long unblocked = time.nanoTime();
    factory.getStatistics().clear();
    List<String> seen = new ArrayList<>();
    // Redis is tried again a retry interval (1 s) after the last failure, by one read; cached
    // reads resume two intervals after it answers. Each read here moves time by half an interval
    // instead of waiting for it.
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              time.advance(Duration.ofMillis(500));
              seen.add(title(1L));
              return factory.getStatistics().getSecondLevelCacheHitCount() > 0;
            });
    assertThat(seen).as("every read after Redis came back").containsOnly("v2");
    assertThat(Duration.ofNanos(time.nanoTime() - unblocked))
        .as(
            "cached reads resume two retry intervals after Redis answers, time for every node to"
                + " resend what it kept")
        .isGreaterThanOrEqualTo(Duration.ofSeconds(2));

    logs.close();
    assertThat(logs.warningsAndErrors())
        .as("the outage is logged once, naming the factory and what to do")
        .singleElement()
        .satisfies(
            line ->
                assertThat(line)
                    .startsWith("SessionFactory 'multiget-test': Second-level cache: Redis at")
                    .contains("is unreachable")
                    .contains("Check that Redis runs and is reachable from here"));
    assertThat(logs.events())
        .as("no stack trace while Redis is down")
        .allSatisfy(event -> assertThat(event.getThrowableProxy()).isNull());
    assertThat(logs.at(Level.INFO))
        .as("its end is logged once, with its duration")
        .filteredOn(line -> line.contains("answers again"))
        .singleElement()
        .satisfies(
            line ->
                assertThat(line)
                    .containsPattern("after an outage of \\d+ ms \\(\\d+ failed calls"));
  }
}
