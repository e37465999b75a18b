package dev.coalesce.cache;

import dev.coalesce.redis.CoalesceSettings;
import dev.coalesce.testing.TestDatabase;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.hibernate.SessionFactory;
import org.redisson.api.RedissonClient;

/**
 * Two SessionFactories ("nodes") on one test database, each with a Redisson client of its own (as
 * two JVMs would have) from {@code clients}, under one namespace; node A creates the schema.
 */
final class TwoNodes implements AutoCloseable {

  final SessionFactory nodeA;
  final SessionFactory nodeB;
  private final RedissonClient clientA;
  private final RedissonClient clientB;

  TwoNodes(
      TestDatabase db,
      Supplier<RedissonClient> clients,
      String namespace,
      Map<String, Object> extra,
      Class<?>... entities) {
    clientA = clients.get();
    clientB = clients.get();
    nodeA = Boot.factory(db, settings(clientA, namespace, extra, null), entities);
    nodeB = Boot.factory(db, settings(clientB, namespace, extra, "none"), entities);
  }

  private static Map<String, Object> settings(
      RedissonClient client, String namespace, Map<String, Object> extra, String ddl) {
    Map<String, Object> settings = new HashMap<>(extra);
    settings.put(CoalesceSettings.REDIS_CLIENT, client);
    settings.put(CoalesceSettings.NAMESPACE, namespace);
    if (ddl != null) {
      settings.put("hibernate.hbm2ddl.auto", ddl);
    }
    return settings;
  }

  /**
   * Both nodes' cache state (whether Redis answered, whether cached reads are served, the outage),
   * for the message of a failed assertion: a node that missed where it should have hit says why.
   */
  String state() {
    return "node A " + Boot.cacheState(nodeA) + "; node B " + Boot.cacheState(nodeB);
  }

  RedissonClient clientA() {
    return clientA;
  }

  RedissonClient clientB() {
    return clientB;
  }

  @Override
  public void close() {
    nodeB.close();
    nodeA.close();
    clientB.shutdown();
    clientA.shutdown();
  }
}
