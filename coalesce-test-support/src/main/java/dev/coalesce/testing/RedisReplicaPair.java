package dev.coalesce.testing;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A Redis primary and one replica of this test's own, on free ports of 127.0.0.1, the replica
 * replicating through a {@link FreezableTcpProxy}: {@link #freezeReplication()} makes it lag (it
 * keeps answering reads with what it had), {@link #resumeReplication()} lets it catch up. Both are
 * {@link RedisServerProcess}es, nothing kept after {@link #close()}.
 */
public final class RedisReplicaPair implements AutoCloseable {

  private static final Pattern OFFSET = Pattern.compile("master_repl_offset:(\\d+)");

  private final RedisServerProcess primary;
  private final FreezableTcpProxy link;
  private final RedisServerProcess replica;

  private RedisReplicaPair(
      RedisServerProcess primary, FreezableTcpProxy link, RedisServerProcess replica) {
    this.primary = primary;
    this.link = link;
    this.replica = replica;
  }

  /** Starts both servers and returns once the replica is in sync. */
  public static RedisReplicaPair start() {
    RedisServerProcess primary = RedisServerProcess.start();
    FreezableTcpProxy link = FreezableTcpProxy.start(primary.host(), primary.port());
    RedisServerProcess replica = RedisServerProcess.startReplicaOf("127.0.0.1", link.port());
    RedisReplicaPair pair = new RedisReplicaPair(primary, link, replica);
    pair.awaitInSync();
    return pair;
  }

  public RedisServerProcess primary() {
    return primary;
  }

  public RedisServerProcess replica() {
    return replica;
  }

  /** Holds the replication stream: the replica answers reads with what it has, and lags. */
  public void freezeReplication() {
    link.freeze();
  }

  /** Lets the replication stream flow again; see {@link #awaitInSync()}. */
  public void resumeReplication() {
    link.thaw();
  }

  /** Waits until the replica's link is up and it has applied everything the primary wrote. */
  public void awaitInSync() {
    await("the replica of " + primary.address() + " in sync")
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(20))
        .until(this::inSync);
  }

  /** Bytes of the replication stream the primary wrote that the replica has not applied. */
  public long lagBytes() {
    return offset(primary) - offset(replica);
  }

  /** Each server's role, link and replication offset, for the message of a failed assertion. */
  public String describe() {
    return "primary " + replication(primary) + "; replica " + replication(replica);
  }

  private static String replication(RedisServerProcess server) {
    return info(server)
        .lines()
        .filter(
            line ->
                line.startsWith("role:")
                    || line.startsWith("master_link_status:")
                    || line.startsWith("master_repl_offset:")
                    || line.startsWith("connected_slaves:")
                    || line.startsWith("slave0:"))
        .collect(Collectors.joining(", "));
  }

  private boolean inSync() {
    String info = info(replica);
    return info.contains("master_link_status:up") && offset(primary) == offset(replica);
  }

  private static long offset(RedisServerProcess server) {
    Matcher matcher = OFFSET.matcher(info(server));
    if (!matcher.find()) {
      throw new IllegalStateException("INFO replication of " + server.address() + " has no offset");
    }
    return Long.parseLong(matcher.group(1));
  }

  private static String info(RedisServerProcess server) {
    try (Resp resp = new Resp(server.host(), server.port())) {
      return (String) resp.command("INFO", "replication");
    }
  }

  @Override
  public void close() {
    link.close();
    replica.close();
    primary.close();
  }
}
