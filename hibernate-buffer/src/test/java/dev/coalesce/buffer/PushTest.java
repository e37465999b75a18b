package dev.coalesce.buffer;

import static dev.coalesce.buffer.Boot.inTx;
import static org.assertj.core.api.Assertions.assertThat;

import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.RedisServerProcess;
import dev.coalesce.testing.Resp;
import dev.coalesce.testing.TestDatabase;
import dev.coalesce.testing.TestRedisClients;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;

/**
 * Issue item 5: capturing costs no Redis round trip inside the transaction; the deltas of one
 * transaction go out after commit as one pipelined batch. And a flush with nothing to do costs one
 * round trip, not one per partition. Measured on a Redis server of this test alone, from the
 * server's own counters.
 */
@RealServices
class PushTest {

  @Test
  void aTransactionsDeltasGoOutAfterCommitInOneRoundTrip(TestDatabase db) {
    try (RedisServerProcess server = RedisServerProcess.start();
        Resp probe = new Resp(server.host(), server.port())) {
      // no PINGs among the counted commands; a timeout a slow machine does not reach
      RedissonClient client =
          TestRedisClients.failingAfter(server.address(), Duration.ofSeconds(5));
      Map<String, Object> settings = Boot.localSettings(db);
      settings.put(BufferSettings.REDIS_CLIENT, client);
      settings.put(BufferSettings.NAMESPACE, "pushtest");
      // each commit returns only once its push is in Redis, however slow the machine, so the
      // server's counts right after the commit include it
      settings.put(BufferSettings.PUSH_TIMEOUT, "30s");
      EntityManagerFactory factory = Boot.boot(settings, Post.class);
      try {
        CounterBuffer buffer = CounterBuffer.of(factory);
        Boot.persistPosts(factory, 6);
        // warm up: Redis learns the scripts (EVALSHA falls back to EVAL once)
        inTx(factory, em -> buffer.increment(em, Post.class, 1L, "views", 1));
        buffer.flush();

        Map<String, Long> idle0 = serverStats(probe);
        Map<String, Long> idle1 = serverStats(probe);
        long infoCommands = idle1.get("commands") - idle0.get("commands");
        long infoReads = idle1.get("reads") - idle0.get("reads");

        // an idle flush claims every partition in one pipelined round trip
        Map<String, Long> beforeIdleFlush = serverStats(probe);
        assertThat(buffer.flush()).isZero();
        Map<String, Long> afterIdleFlush = serverStats(probe);
        assertThat(afterIdleFlush.get("scripts") - beforeIdleFlush.get("scripts"))
            .as("claim scripts of an idle flush")
            .isEqualTo(BufferSettings.DEFAULT_PARTITIONS);
        assertThat(afterIdleFlush.get("reads") - beforeIdleFlush.get("reads") - infoReads)
            .as("socket reads for an idle flush")
            .isEqualTo(1);

        EntityManager em = factory.createEntityManager();
        em.getTransaction().begin();
        Map<String, Long> before = serverStats(probe);
        for (long id = 1; id <= 4; id++) {
          em.find(Post.class, id).views += id;
        }
        em.flush();
        buffer.increment(em, Post.class, 5L, "likes", 3);
        buffer.increment(em, Post.class, 6L, "views", 2);
        em.flush();
        Map<String, Long> inside = serverStats(probe);
        assertThat(inside.get("commands") - before.get("commands"))
            .as("commands Redis received inside the transaction")
            .isEqualTo(infoCommands);

        em.getTransaction().commit();
        em.close();
        Map<String, Long> after = serverStats(probe);

        // the warm-up's flush emptied every live hash: each one now is a partition this push
        // touched
        Object liveHashes = probe.command("KEYS", "pushtest:buf:*:live");
        assertThat(liveHashes).asInstanceOf(InstanceOfAssertFactories.LIST).isNotEmpty();
        int partitions = ((List<?>) liveHashes).size();
        long scripts = after.get("scripts") - inside.get("scripts");
        long reads = after.get("reads") - inside.get("reads") - infoReads;
        System.out.printf(
            "Item 5: after commit, %d push scripts (one per partition touched: %d) in %d socket"
                + " read(s) on the server%n",
            scripts, partitions, reads);
        assertThat(scripts).isEqualTo(partitions);
        assertThat(reads).as("socket reads for the whole push").isEqualTo(1);
        assertThat(buffer.pending(Post.class, 4L, "views")).isEqualTo(4);
      } finally {
        factory.close();
        client.shutdown();
      }
    }
  }

  private static Map<String, Long> serverStats(Resp probe) {
    String info = String.valueOf(probe.command("INFO", "everything"));
    Map<String, Long> stats = new HashMap<>();
    long scripts = 0;
    for (String line : info.split("\r?\n")) {
      if (line.startsWith("total_commands_processed:")) {
        stats.put("commands", Long.parseLong(line.substring(line.indexOf(':') + 1).trim()));
      } else if (line.startsWith("total_reads_processed:")) {
        stats.put("reads", Long.parseLong(line.substring(line.indexOf(':') + 1).trim()));
      } else if (line.startsWith("cmdstat_evalsha:") || line.startsWith("cmdstat_eval:")) {
        String calls = line.substring(line.indexOf("calls=") + 6);
        scripts += Long.parseLong(calls.substring(0, calls.indexOf(',')));
      }
    }
    stats.put("scripts", scripts);
    return stats;
  }
}
