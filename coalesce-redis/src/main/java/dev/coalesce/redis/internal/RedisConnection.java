package dev.coalesce.redis.internal;

import static dev.coalesce.redis.CoalesceSettings.NAMESPACE;
import static dev.coalesce.redis.CoalesceSettings.REDIS_ADDRESS;
import static dev.coalesce.redis.CoalesceSettings.REDIS_CLIENT;
import static dev.coalesce.redis.CoalesceSettings.REDIS_CONFIG;

import dev.coalesce.redis.CoalesceConfigurationException;
import dev.coalesce.redis.CoalesceSettings;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.hibernate.service.Service;
import org.hibernate.service.spi.Stoppable;
import org.jboss.logging.Logger;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/**
 * The Redis connection of one SessionFactory, shared by every Coalesce module in it. A Hibernate
 * service: obtain it with {@code serviceRegistry.requireService(RedisConnection.class)}.
 *
 * <p>The settings are validated when the service starts; the client itself is created on the first
 * call to {@link #client()}, so a factory that uses only {@code local} stores never connects. The
 * client is shut down when the service registry stops, which Hibernate does after every {@code
 * SessionFactoryObserver.sessionFactoryClosing}: modules can still use Redis while they drain. A
 * client the application passed in ({@link CoalesceSettings#REDIS_CLIENT}) is never shut down.
 *
 * <p>Over our usual 250 lines: the three ways of giving the client (an address, a YAML file, the
 * application's own) each need their checks, conflict messages and masked logging, and they belong
 * together.
 */
public final class RedisConnection implements Service, Stoppable {

  /** How long the boot waits for Redis's port to accept a connection before it fails. */
  private static final int PROBE_TIMEOUT_MILLIS = 3_000;

  private static final Logger LOG = Logger.getLogger(RedisConnection.class);

  private final KeyNamespace keys;
  private final RedissonClient providedClient;
  private final String address;
  private final String configLocation;
  private RedissonClient ownedClient;
  private boolean stopped;

  /**
   * Reads and validates the shared settings, and has every module on the class path check its keys
   * and values (an unknown key, a bad value): the first Coalesce service a factory creates, so a
   * bad setting fails the boot before anything connects. Connects nothing yet.
   */
  public RedisConnection(Map<?, ?> settings) {
    UnknownSettings modules = UnknownSettings.onClassPath(RedisConnection.class.getClassLoader());
    modules.check(settings);
    SettingsReader reader = new SettingsReader(settings);
    this.keys = new KeyNamespace(reader.string(NAMESPACE, CoalesceSettings.DEFAULT_NAMESPACE));
    Optional<Object> client = reader.raw(REDIS_CLIENT);
    this.address = reader.string(REDIS_ADDRESS).orElse(null);
    this.configLocation = reader.string(REDIS_CONFIG).orElse(null);

    List<String> given = new ArrayList<>();
    if (client.isPresent()) {
      given.add(REDIS_CLIENT);
    }
    if (address != null) {
      given.add(REDIS_ADDRESS);
    }
    if (configLocation != null) {
      given.add(REDIS_CONFIG);
    }
    if (given.size() > 1) {
      throw new CoalesceConfigurationException(
          "Conflicting settings "
              + String.join(" and ", given)
              + ": give exactly one way to reach Redis (an address, a Redisson YAML file, or a"
              + " client instance)");
    }
    if (client.isPresent() && !(client.get() instanceof RedissonClient)) {
      throw new CoalesceConfigurationException(
          "Invalid value of type "
              + client.get().getClass().getName()
              + " for setting "
              + REDIS_CLIENT
              + ": expected an org.redisson.api.RedissonClient instance");
    }
    this.providedClient = (RedissonClient) client.orElse(null);
    if (address != null) {
      validateAddress(address);
    }
    modules.validateValues(settings, isConfigured());
  }

  /** Whether any Redis setting was given; modules default to their {@code local} store if not. */
  public boolean isConfigured() {
    return providedClient != null || address != null || configLocation != null;
  }

  /** Key naming under {@link CoalesceSettings#NAMESPACE}. */
  public KeyNamespace keys() {
    return keys;
  }

  /**
   * The client, connected on first use.
   *
   * @throws CoalesceConfigurationException if no Redis setting was given, the YAML file cannot be
   *     read, or Redis does not answer; the message names the setting and its value
   */
  public synchronized RedissonClient client() {
    if (stopped) {
      throw new IllegalStateException("The Coalesce Redis connection is closed");
    }
    if (providedClient != null) {
      return providedClient;
    }
    if (ownedClient == null) {
      ownedClient = connect();
    }
    return ownedClient;
  }

  /** A description safe to log: the address or config location, never credentials. */
  public String describe() {
    if (providedClient != null) {
      return "the application's RedissonClient (" + REDIS_CLIENT + ")";
    }
    if (address != null) {
      return Credentials.masked(address);
    }
    return configLocation == null ? "nothing (no Redis setting)" : configLocation;
  }

  @Override
  public synchronized void stop() {
    stopped = true;
    if (ownedClient != null) {
      LOG.debugf("Shutting down the Redis client for %s", describe());
      ownedClient.shutdown();
      ownedClient = null;
    }
  }

  private RedissonClient connect() {
    String setting;
    Config config;
    if (address != null) {
      setting = REDIS_ADDRESS;
      refuseUnreachable(address);
      config = new Config();
      config.useSingleServer().setAddress(address);
    } else if (configLocation != null) {
      setting = REDIS_CONFIG;
      config = readYaml(configLocation);
    } else {
      throw new CoalesceConfigurationException(
          "Redis is needed but not configured: set "
              + REDIS_ADDRESS
              + " (redis://host:port), "
              + REDIS_CONFIG
              + " (a Redisson YAML file) or "
              + REDIS_CLIENT
              + " (a RedissonClient instance)");
    }
    try {
      RedissonClient client = Redisson.create(config);
      LOG.infof("Coalesce connected to Redis at %s", describe());
      return client;
    } catch (RuntimeException e) {
      throw new CoalesceConfigurationException(
          "Cannot connect to Redis at "
              + describe()
              + " (setting "
              + setting
              + "): "
              + e.getMessage(),
          e);
    }
  }

  /**
   * Fails at once, with one cause, when nothing listens at the address: Redisson would retry its
   * connections for the whole connect timeout (10 s by default) and report them through several
   * nested causes.
   */
  private void refuseUnreachable(String redisAddress) {
    java.net.URI uri;
    try {
      uri = java.net.URI.create(redisAddress);
    } catch (IllegalArgumentException e) {
      return; // Redisson reports a malformed address itself
    }
    if (uri.getHost() == null) {
      return;
    }
    int port = uri.getPort() < 0 ? 6379 : uri.getPort();
    try (java.net.Socket socket = new java.net.Socket()) {
      socket.connect(new java.net.InetSocketAddress(uri.getHost(), port), PROBE_TIMEOUT_MILLIS);
    } catch (java.io.IOException e) {
      throw new CoalesceConfigurationException(
          "Cannot connect to Redis at "
              + describe()
              + " (setting "
              + REDIS_ADDRESS
              + "): "
              + e.getMessage()
              + " within "
              + PROBE_TIMEOUT_MILLIS
              + " ms; check that Redis runs there and is reachable from this host",
          e);
    }
  }

  private static Config readYaml(String location) {
    try {
      if (location.startsWith("classpath:")) {
        String resource = location.substring("classpath:".length()).replaceFirst("^/", "");
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        if (loader == null) {
          loader = RedisConnection.class.getClassLoader();
        }
        try (InputStream in = loader.getResourceAsStream(resource)) {
          if (in == null) {
            throw new CoalesceConfigurationException(
                "Invalid value '"
                    + location
                    + "' for setting "
                    + REDIS_CONFIG
                    + ": no such classpath resource");
          }
          return Config.fromYAML(in);
        }
      }
      File file = new File(location);
      if (!file.isFile()) {
        throw new CoalesceConfigurationException(
            "Invalid value '"
                + location
                + "' for setting "
                + REDIS_CONFIG
                + ": no such file (use a file path or classpath:name.yaml)");
      }
      return Config.fromYAML(file);
    } catch (IOException | RuntimeException e) {
      if (e instanceof CoalesceConfigurationException c) {
        throw c;
      }
      throw new CoalesceConfigurationException(
          "Invalid value '"
              + location
              + "' for setting "
              + REDIS_CONFIG
              + ": not a readable Redisson YAML configuration: "
              + e.getMessage(),
          e);
    }
  }

  private static void validateAddress(String address) {
    String allowed = ": expected redis://host:port or rediss://host:port";
    URI uri;
    try {
      uri = new URI(address);
    } catch (URISyntaxException e) {
      throw new CoalesceConfigurationException(
          "Invalid value '"
              + Credentials.masked(address)
              + "' for setting "
              + REDIS_ADDRESS
              + allowed);
    }
    if (!("redis".equals(uri.getScheme()) || "rediss".equals(uri.getScheme()))
        || uri.getHost() == null) {
      throw new CoalesceConfigurationException(
          "Invalid value '"
              + Credentials.masked(address)
              + "' for setting "
              + REDIS_ADDRESS
              + allowed);
    }
  }
}
