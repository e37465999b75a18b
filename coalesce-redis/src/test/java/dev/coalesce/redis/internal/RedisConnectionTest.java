package dev.coalesce.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coalesce.redis.CoalesceConfigurationException;
import dev.coalesce.redis.CoalesceSettings;
import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.RedisServerProcess;
import dev.coalesce.testing.TestDatabase;
import dev.coalesce.testing.TestRedis;
import jakarta.persistence.EntityManagerFactory;
import java.util.Map;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.jpa.HibernatePersistenceConfiguration;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

@RealServices
class RedisConnectionTest {

  private static EntityManagerFactory boot(Map<String, Object> properties) {
    return new HibernatePersistenceConfiguration("redis-connection-test")
        .properties(properties)
        .createEntityManagerFactory();
  }

  private static RedisConnection connectionOf(EntityManagerFactory factory) {
    return factory
        .unwrap(SessionFactoryImplementor.class)
        .getServiceRegistry()
        .requireService(RedisConnection.class);
  }

  @Test
  void oneClientPerFactoryWritesUnderTheNamespaceAndClosesWithTheFactory(
      TestDatabase db, TestRedis redis) {
    Map<String, Object> properties = db.hibernateProperties();
    properties.putAll(redis.hibernateProperties());
    EntityManagerFactory factory = boot(properties);
    RedisConnection connection = connectionOf(factory);
    assertThat(connection.isConfigured()).isTrue();

    RedissonClient client = connection.client();
    assertThat(connection.client()).isSameAs(client);
    String key = connection.keys().key("probe");
    client.getBucket(key, StringCodec.INSTANCE).set("hello");
    assertThat(redis.command("GET", redis.namespace() + ":probe")).isEqualTo("hello");
    assertThat(redis.keys()).containsExactly(redis.namespace() + ":probe");

    factory.close();
    assertThat(client.isShutdown()).isTrue();
  }

  @Test
  void anApplicationClientIsUsedAndNeverShutDown(TestDatabase db, TestRedis redis) {
    EntityManagerFactory first = boot(withRedis(db, redis));
    RedissonClient applicationClient = connectionOf(first).client();
    Map<String, Object> properties = db.hibernateProperties();
    properties.put(CoalesceSettings.REDIS_CLIENT, applicationClient);
    EntityManagerFactory second = boot(properties);

    assertThat(connectionOf(second).client()).isSameAs(applicationClient);
    second.close();
    assertThat(applicationClient.isShutdown()).isFalse();
    first.close();
  }

  @Test
  void withoutRedisSettingsNothingConnects(TestDatabase db) {
    EntityManagerFactory factory = boot(db.hibernateProperties());
    RedisConnection connection = connectionOf(factory);
    assertThat(connection.isConfigured()).isFalse();
    assertThat(connection.keys().name()).isEqualTo(CoalesceSettings.DEFAULT_NAMESPACE);
    assertThatThrownBy(connection::client)
        .isInstanceOf(CoalesceConfigurationException.class)
        .hasMessageContaining(CoalesceSettings.REDIS_ADDRESS);
    factory.close();
  }

  @Test
  void anUnreachableRedisIsReportedWithTheSettingAndAddress(TestDatabase db) {
    RedisServerProcess stopped = RedisServerProcess.start();
    stopped.stop();
    Map<String, Object> properties = db.hibernateProperties();
    properties.put(CoalesceSettings.REDIS_ADDRESS, stopped.address());
    EntityManagerFactory factory = boot(properties);
    long started = System.nanoTime();
    // issue 11, item 6: a closed port failed after 17-26 s with 7 nested causes
    assertThatThrownBy(() -> connectionOf(factory).client())
        .isInstanceOf(CoalesceConfigurationException.class)
        .hasMessageContaining("Cannot connect to Redis at " + stopped.address())
        .hasMessageContaining(CoalesceSettings.REDIS_ADDRESS)
        .hasMessageContaining("check that Redis runs there")
        .cause()
        .as("one cause: the refused connection")
        .isInstanceOf(java.net.ConnectException.class)
        .hasNoCause();
    long tookMillis = (System.nanoTime() - started) / 1_000_000;
    System.out.printf("an unreachable Redis was reported after %d ms%n", tookMillis);
    assertThat(tookMillis).as("reported at once, not after Redisson's retries").isLessThan(3_000);
    factory.close();
  }

  @Test
  void badSettingsFailTheBootWithTheirNames(TestDatabase db, TestRedis redis) {
    Map<String, Object> badAddress = db.hibernateProperties();
    badAddress.put(CoalesceSettings.REDIS_ADDRESS, "localhost:6379");
    assertThatThrownBy(() -> boot(badAddress))
        .rootCause()
        .hasMessageContaining(CoalesceSettings.REDIS_ADDRESS)
        .hasMessageContaining("'localhost:6379'")
        .hasMessageContaining("redis://host:port");

    Map<String, Object> both = withRedis(db, redis);
    both.put(CoalesceSettings.REDIS_CONFIG, "classpath:redisson.yaml");
    assertThatThrownBy(() -> boot(both))
        .rootCause()
        .hasMessageContaining("Conflicting settings")
        .hasMessageContaining(CoalesceSettings.REDIS_ADDRESS)
        .hasMessageContaining(CoalesceSettings.REDIS_CONFIG);

    Map<String, Object> wrongType = db.hibernateProperties();
    wrongType.put(CoalesceSettings.REDIS_CLIENT, "not a client");
    assertThatThrownBy(() -> boot(wrongType))
        .rootCause()
        .hasMessageContaining(CoalesceSettings.REDIS_CLIENT)
        .hasMessageContaining("RedissonClient");
  }

  @Test
  void credentialsAreMaskedInDescriptions() {
    assertThat(Credentials.masked("redis://user:s3cret@host:6379"))
        .isEqualTo("redis://user:***@host:6379");
    assertThat(Credentials.masked("redis://:s3cret@host:6379")).isEqualTo("redis://:***@host:6379");
    assertThat(Credentials.masked("redis://host:6379")).isEqualTo("redis://host:6379");
    // the buffer's database outage names the JDBC URL the same way
    assertThat(
            Credentials.masked("jdbc:postgresql://db:5432/shop?user=app&password=s3cret&ssl=true"))
        .isEqualTo("jdbc:postgresql://db:5432/shop?user=app&password=***&ssl=true");
    assertThat(Credentials.masked("jdbc:mariadb://app:s3cret@db:3306/shop"))
        .isEqualTo("jdbc:mariadb://app:***@db:3306/shop");
  }

  private static Map<String, Object> withRedis(TestDatabase db, TestRedis redis) {
    Map<String, Object> properties = db.hibernateProperties();
    properties.putAll(redis.hibernateProperties());
    return properties;
  }
}
