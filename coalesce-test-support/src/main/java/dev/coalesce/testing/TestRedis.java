package dev.coalesce.testing;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The Redis {@link RealServices} found, with a key namespace of one test class. Every key under
 * {@link #namespace()} is deleted after the class.
 */
public final class TestRedis implements AutoCloseable {

  /** Same string as {@code dev.coalesce.redis.CoalesceSettings.REDIS_ADDRESS}. */
  public static final String ADDRESS_SETTING = "hibernate.coalesce.redis.address";

  /** Same string as {@code dev.coalesce.redis.CoalesceSettings.NAMESPACE}. */
  public static final String NAMESPACE_SETTING = "hibernate.coalesce.namespace";

  private final ServiceEndpoints.Redis endpoint;
  private final String namespace;

  TestRedis(ServiceEndpoints.Redis endpoint, String namespace) {
    this.endpoint = endpoint;
    this.namespace = namespace;
  }

  /** {@code redis://host:port}. */
  public String address() {
    return endpoint.address();
  }

  public String host() {
    return endpoint.host();
  }

  public int port() {
    return endpoint.port();
  }

  /** The key namespace of this test class. */
  public String namespace() {
    return namespace;
  }

  /** Where Redis came from: the environment, this machine, or Testcontainers. */
  public String source() {
    return endpoint.source();
  }

  /** Settings that point Coalesce at this Redis and namespace. A new mutable map each call. */
  public Map<String, Object> hibernateProperties() {
    Map<String, Object> properties = new HashMap<>();
    properties.put(ADDRESS_SETTING, address());
    properties.put(NAMESPACE_SETTING, namespace);
    return properties;
  }

  /** Every key of this class's namespace. */
  public List<String> keys() {
    try (Resp resp = connect()) {
      return resp.scan(namespace + ":*");
    }
  }

  /** Sends one command on a fresh connection; see {@link Resp#command(String...)}. */
  public Object command(String... args) {
    try (Resp resp = connect()) {
      return resp.command(args);
    }
  }

  /** A raw connection, for several commands; the caller closes it. */
  public Resp connect() {
    return new Resp(host(), port());
  }

  @Override
  public void close() {
    try (Resp resp = connect()) {
      for (String key : resp.scan(namespace + ":*")) {
        resp.command("UNLINK", key);
      }
    }
  }
}
