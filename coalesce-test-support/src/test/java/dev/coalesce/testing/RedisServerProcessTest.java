package dev.coalesce.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * {@link RedisServerProcess#start()} keeps nothing on disk, and a server of it starts empty, also
 * after another server of a test turned replica and received its first sync as a file (Redis writes
 * it as {@code dump.rdb} in its directory, and loads that file when it starts). A server that used
 * the JVM's working directory loaded such a file: the primary of one FailoverTest case held the
 * counters of the case before, whose old primary had rejoined as a replica, and those counters were
 * flushed into the next case's rows (FailoverTest[sentinel, wait_replicas=1]: "increments applied
 * twice: expected 0 but was 4").
 */
class RedisServerProcessTest {

  @Test
  void aServerStartsEmptyAfterAnotherReceivedASyncAsAFile() {
    try (RedisServerProcess primary = RedisServerProcess.start();
        RedisServerProcess turnedReplica = RedisServerProcess.start()) {
      command(primary, "SET", "left-by-an-earlier-test", "1");
      // as Sentinel turns a failed primary that came back into a replica of the new one
      command(turnedReplica, "REPLICAOF", primary.host(), Integer.toString(primary.port()));
      await("the replica's first sync")
          .atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(20))
          .until(() -> "1".equals(command(turnedReplica, "GET", "left-by-an-earlier-test")));

      try (RedisServerProcess next = RedisServerProcess.start()) {
        assertThat(command(next, "DBSIZE")).as("keys of a server just started").isEqualTo(0L);
      }
      turnedReplica.stop();
      turnedReplica.startAgain();
      assertThat(command(turnedReplica, "DBSIZE"))
          .as("keys of a server of start() started again")
          .isEqualTo(0L);
    }
  }

  private static Object command(RedisServerProcess server, String... args) {
    try (Resp resp = new Resp(server.host(), server.port())) {
      return resp.command(args);
    }
  }
}
