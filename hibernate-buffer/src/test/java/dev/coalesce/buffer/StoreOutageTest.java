package dev.coalesce.buffer;

import static dev.coalesce.buffer.Boot.inTx;
import static dev.coalesce.buffer.Boot.queryLong;
import static org.assertj.core.api.Assertions.assertThat;

import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.RedisServerProcess;
import dev.coalesce.testing.TestDatabase;
import dev.coalesce.testing.TestRedisClients;
import jakarta.persistence.EntityManagerFactory;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;

/**
 * Redis down when a transaction commits: a push that provably never left this process is applied
 * straight to the database, once.
 */
@RealServices
class StoreOutageTest {

  @Test
  void aPushThatCannotConnectFallsBackToTheDatabase(TestDatabase db) {
    try (RedisServerProcess server = RedisServerProcess.start()) {
      RedissonClient client = Boot.fastFailingClient(server);
      Map<String, Object> settings = Boot.localSettings(db);
      settings.put(BufferSettings.REDIS_CLIENT, client);
      settings.put(BufferSettings.NAMESPACE, "outage");
      EntityManagerFactory factory = Boot.boot(settings, Post.class);
      try {
        CounterBuffer buffer = CounterBuffer.of(factory);
        inTx(factory, em -> em.persist(new Post(1L, "outage")));
        inTx(factory, em -> buffer.increment(em, Post.class, 1L, "views", 2));

        server.stop();
        TestRedisClients.awaitUnreachable(client);
        long start = System.nanoTime();
        inTx(
            factory,
            em -> {
              em.find(Post.class, 1L).views += 5;
            });
        System.out.printf(
            "commit with Redis down took %d ms%n", (System.nanoTime() - start) / 1_000_000);

        assertThat(queryLong(db, "select views from post where id = 1")).isEqualTo(5);
        BufferStats duringOutage = buffer.stats();
        assertThat(duringOutage.directFallbacks()).isEqualTo(1);
        assertThat(duringOutage.oldestPendingAge()).as("unknown while Redis is down").isNull();

        server.startAgain();
        // the +2 pushed before the outage was lost with the server (it kept no data); new pushes
        // go to Redis again
        inTx(factory, em -> buffer.increment(em, Post.class, 1L, "views", 1));
        assertThat(buffer.stats().directFallbacks()).isEqualTo(1);
        buffer.flush();
        assertThat(queryLong(db, "select views from post where id = 1")).isEqualTo(6);
      } finally {
        factory.close();
        client.shutdown();
      }
    }
  }
}
