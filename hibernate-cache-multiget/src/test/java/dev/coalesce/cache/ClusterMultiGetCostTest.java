package dev.coalesce.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coalesce.redis.CoalesceSettings;
import dev.coalesce.testing.CountingRedisProxy;
import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.RedisCluster;
import dev.coalesce.testing.RedisServerProcess;
import dev.coalesce.testing.Resp;
import dev.coalesce.testing.TestDatabase;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import org.hibernate.SessionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;
import org.redisson.config.HostPortNatMapper;

/**
 * What a warm {@code findMultiple} of 100 ids costs on a Redis Cluster of three masters: each
 * master sits behind a {@link CountingRedisProxy}, and the client reaches the masters through the
 * proxies (Redisson's NAT map turns the addresses the cluster announces into the proxies'), so the
 * round trips and commands each master receives are counted on the wire; each master's own {@code
 * INFO commandstats} counts its {@code MGET}s too. The latency against a single server is printed,
 * not asserted (speed claims belong in the benchmarks), from a client configured by a Redisson YAML
 * that reaches the masters directly.
 */
@RealServices
class ClusterMultiGetCostTest {

  static final int N = 100;
  static final int TIMED_LOADS = 300;
  static final Pattern MGET_CALLS = Pattern.compile("cmdstat_mget:calls=(\\d+)");
  static final List<Long> IDS = LongStream.rangeClosed(1, N).boxed().toList();

  static RedisCluster cluster;
  static final List<CountingRedisProxy> proxies = new ArrayList<>();
  static RedissonClient clusterClient;
  static SessionFactory onCluster;
  static SessionFactory onClusterDirect;
  static RedisServerProcess single;
  static SessionFactory onSingle;

  @BeforeAll
  static void boot(TestDatabase db) {
    cluster = RedisCluster.start(3, 0);
    Config config = new Config();
    var servers = config.useClusterServers();
    Map<String, String> natMap = new HashMap<>();
    for (RedisServerProcess master : cluster.masters()) {
      CountingRedisProxy proxy = CountingRedisProxy.start(master.host(), master.port());
      proxies.add(proxy);
      natMap.put(master.host() + ":" + master.port(), "127.0.0.1:" + proxy.port());
      servers.addNodeAddress(proxy.address());
    }
    HostPortNatMapper natMapper = new HostPortNatMapper();
    natMapper.setHostsPortMap(natMap);
    // no topology scan in the middle of a counted load
    servers.setNatMapper(natMapper).setScanInterval(600_000);
    clusterClient = Redisson.create(config);
    onCluster =
        Boot.factory(
            db,
            Map.of(CoalesceSettings.REDIS_CLIENT, clusterClient, CoalesceSettings.NAMESPACE, "mg"),
            Counter.class);
    onCluster.inTransaction(session -> IDS.forEach(id -> session.persist(new Counter(id))));
    // for the latency: straight to the masters (no proxy), configured as a user would, by YAML
    onClusterDirect =
        Boot.factory(
            db,
            Map.of(
                CoalesceSettings.REDIS_CONFIG,
                cluster.redissonYaml().toString(),
                CoalesceSettings.NAMESPACE,
                "mg",
                "hibernate.hbm2ddl.auto",
                "none"),
            Counter.class);
    single = RedisServerProcess.start();
    onSingle =
        Boot.factory(
            db,
            Map.of(
                CoalesceSettings.REDIS_ADDRESS,
                single.address(),
                CoalesceSettings.NAMESPACE,
                "mg",
                "hibernate.hbm2ddl.auto",
                "none"),
            Counter.class);
  }

  @AfterAll
  static void close() {
    if (onSingle != null) {
      onSingle.close();
    }
    if (onClusterDirect != null) {
      onClusterDirect.close();
    }
    if (onCluster != null) {
      onCluster.close();
    }
    if (clusterClient != null) {
      clusterClient.shutdown();
    }
    proxies.forEach(CountingRedisProxy::close);
    if (single != null) {
      single.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aWarmMultiGetCostsOneRoundTripPerMaster() {
    Boot.warmUntilEveryRowHits(onCluster, Counter.class, IDS, "cluster multi-get");
    onCluster.getStatistics().clear();
    List<RedisServerProcess> masters = cluster.masters();
    long[] mgetsBefore = masters.stream().mapToLong(ClusterMultiGetCostTest::mgetCalls).toArray();
    proxies.forEach(CountingRedisProxy::reset);

    List<Counter> warm = onCluster.fromTransaction(s -> s.findMultiple(Counter.class, IDS));

    List<Integer> roundTrips = new ArrayList<>();
    List<Integer> commands = new ArrayList<>();
    for (CountingRedisProxy proxy : proxies) {
      roundTrips.add(proxy.roundTripCount());
      commands.add(proxy.commandCount());
    }
    long[] mgets = new long[masters.size()];
    for (int i = 0; i < mgets.length; i++) {
      mgets[i] = mgetCalls(masters.get(i)) - mgetsBefore[i];
    }
    long hits = onCluster.getStatistics().getSecondLevelCacheHitCount();
    long sql = onCluster.getStatistics().getPrepareStatementCount();
    System.out.printf(
        "[cluster multi-get] warm findMultiple(%d) on 3 masters: round trips per master %s,"
            + " commands per master %s, MGETs per master (INFO commandstats) %s,"
            + " %d cache hits, %d SQL%n",
        N, roundTrips, commands, Arrays.toString(mgets), hits, sql);

    assertThat(warm).hasSize(N);
    assertThat(hits).as("every id is a cache hit (%s)", Boot.cacheState(onCluster)).isEqualTo(N);
    assertThat(sql).as("SQL statements of a warm load").isZero();
    assertThat(Arrays.stream(mgets).sum())
        .as("MGETs: one per hash slot of the 100 keys, on the masters")
        .isEqualTo(commands.stream().mapToInt(Integer::intValue).sum());
    assertThat(roundTrips)
        .as("round trips per master (each holds some of the 100 keys)")
        .allSatisfy(count -> assertThat(count).isEqualTo(1));
  }

  @Test
  void latencyAgainstASingleServer() {
    double cluster = medianMicros(onClusterDirect);
    double alone = medianMicros(onSingle);
    System.out.printf(
        "[cluster multi-get] warm findMultiple(%d), median of %d in a transaction:"
            + " 3-master cluster %.0f us, single server %.0f us%n",
        N, TIMED_LOADS, cluster, alone);
    assertThat(onClusterDirect.getStatistics().getSecondLevelCacheMissCount())
        .as(
            "the timed loads on the cluster were served by the cache (%s)",
            Boot.cacheState(onClusterDirect))
        .isZero();
  }

  private static double medianMicros(SessionFactory factory) {
    Boot.warmUntilEveryRowHits(factory, Counter.class, IDS, "cluster multi-get latency");
    for (int i = 0; i < 50; i++) {
      factory.inTransaction(session -> session.findMultiple(Counter.class, IDS));
    }
    factory.getStatistics().clear();
    long[] nanos = new long[TIMED_LOADS];
    for (int i = 0; i < TIMED_LOADS; i++) {
      long start = System.nanoTime();
      List<Counter> found = factory.fromTransaction(s -> s.findMultiple(Counter.class, IDS));
      nanos[i] = System.nanoTime() - start;
      assertThat(found).hasSize(N);
    }
    Arrays.sort(nanos);
    return nanos[TIMED_LOADS / 2] / 1000.0;
  }

  private static long mgetCalls(RedisServerProcess server) {
    try (Resp resp = new Resp(server.host(), server.port())) {
      Matcher matcher = MGET_CALLS.matcher((String) resp.command("INFO", "commandstats"));
      return matcher.find() ? Long.parseLong(matcher.group(1)) : 0;
    }
  }
}
