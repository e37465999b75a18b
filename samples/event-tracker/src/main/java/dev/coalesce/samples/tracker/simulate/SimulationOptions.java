package dev.coalesce.samples.tracker.simulate;

import java.util.Map;
import java.util.Set;

/**
 * What {@code simulate} runs. Every flag has a default, so {@code simulate} alone runs on H2 and
 * the in-JVM stores; {@code --redis} and {@code --jdbc} (or the environment variables {@value
 * #REDIS_ENV}, {@value #JDBC_ENV}, {@value #JDBC_USER_ENV}, {@value #JDBC_PASSWORD_ENV}) point it
 * at real services.
 *
 * @param events events to send
 * @param issues distinct issues the events fall on
 * @param projects projects the issues belong to
 * @param threads threads sending events, each event one transaction
 * @param skew Zipf exponent of how events spread over issues: 0 is uniform, 1 makes the hottest
 *     issue get about 13% of 1,000 issues' events
 * @param seed seed of the random choices, printed so a run can be repeated
 * @param mode what runs: the counter buffered by Coalesce, plain Hibernate, or both one after the
 *     other
 * @param redis {@code redis://host:port}, or {@code null} for the in-JVM stores
 * @param jdbcUrl JDBC URL, or {@code null} for an in-memory H2 database
 * @param namespace Redis key prefix of this sample; every key under it is deleted at start
 * @param pageSize issues on a stream page
 * @param streamCapacity most issue ids a project's stream keeps
 */
public record SimulationOptions(
    long events,
    int issues,
    int projects,
    int threads,
    double skew,
    long seed,
    Mode mode,
    String redis,
    String jdbcUrl,
    String jdbcUser,
    String jdbcPassword,
    String namespace,
    int pageSize,
    int streamCapacity) {

  public static final String REDIS_ENV = "COALESCE_REDIS";
  public static final String JDBC_ENV = "COALESCE_JDBC";
  public static final String JDBC_USER_ENV = "COALESCE_JDBC_USER";
  public static final String JDBC_PASSWORD_ENV = "COALESCE_JDBC_PASSWORD";

  /** Which counter path runs. */
  public enum Mode {
    /** {@code @BufferedCounter} and the multi-get cache. */
    COALESCE,
    /** The counter as an ordinary column: find, {@code setTimesSeen(+1)}, commit. No cache. */
    PLAIN,
    /** PLAIN, then COALESCE, reported side by side. */
    COMPARE
  }

  private static final Set<String> VALUE_FLAGS =
      Set.of(
          "--events",
          "--issues",
          "--projects",
          "--threads",
          "--skew",
          "--seed",
          "--redis",
          "--jdbc",
          "--user",
          "--password",
          "--namespace",
          "--page-size",
          "--stream-max");

  public static final String USAGE =
      """
      usage: simulate [--plain | --compare] [flags]
        --events N        events to send (default 200000)
        --issues N        distinct issues (default 1000)
        --projects N      projects (default 10)
        --threads N       sending threads, one transaction per event (default 8)
        --skew S          Zipf exponent of the spread over issues, 0 = uniform (default 1.0)
        --seed N          random seed (default 42)
        --plain           the counter as a plain column (plain Hibernate, no cache)
        --compare         plain Hibernate first, then Coalesce, side by side
        --redis URL       redis://host:port (default: in-JVM stores; env COALESCE_REDIS)
        --jdbc URL        JDBC URL (default: in-memory H2; env COALESCE_JDBC)
        --user NAME       JDBC user (default postgres for PostgreSQL, sa for H2; env COALESCE_JDBC_USER)
        --password PW     JDBC password (default empty; env COALESCE_JDBC_PASSWORD)
        --namespace NS    Redis key prefix, cleared at start (default event-tracker)
        --page-size N     issues on a stream page (default 25)
        --stream-max N    issue ids a project's stream keeps (default 100)
      """;

  /**
   * Parses the arguments after {@code simulate}.
   *
   * @throws IllegalArgumentException naming the flag, the value and what is allowed
   */
  public static SimulationOptions parse(String[] args, Map<String, String> env) {
    long events = 200_000;
    int issues = 1_000;
    int projects = 10;
    int threads = 8;
    double skew = 1.0;
    long seed = 42;
    Mode mode = Mode.COALESCE;
    String redis = blankToNull(env.get(REDIS_ENV));
    String jdbc = blankToNull(env.get(JDBC_ENV));
    String user = blankToNull(env.get(JDBC_USER_ENV));
    String password = env.getOrDefault(JDBC_PASSWORD_ENV, "");
    String namespace = "event-tracker";
    int pageSize = 25;
    int streamMax = 100;
    for (int i = 0; i < args.length; i++) {
      String flag = args[i];
      String inline = null;
      int eq = flag.indexOf('=');
      if (flag.startsWith("--") && eq > 0) {
        inline = flag.substring(eq + 1);
        flag = flag.substring(0, eq);
      }
      switch (flag) {
        case "--plain" -> mode = Mode.PLAIN;
        case "--compare" -> mode = Mode.COMPARE;
        default -> {
          if (!VALUE_FLAGS.contains(flag)) {
            throw new IllegalArgumentException("unknown flag '" + flag + "'\n" + USAGE);
          }
          String value = inline != null ? inline : valueAfter(args, i++, flag);
          switch (flag) {
            case "--events" -> events = positiveLong(flag, value);
            case "--issues" -> issues = positiveInt(flag, value);
            case "--projects" -> projects = positiveInt(flag, value);
            case "--threads" -> threads = positiveInt(flag, value);
            case "--skew" -> skew = nonNegativeDouble(flag, value);
            case "--seed" -> seed = anyLong(flag, value);
            case "--redis" -> redis = redisUrl(value);
            case "--jdbc" -> jdbc = jdbcUrl(value);
            case "--user" -> user = value;
            case "--password" -> password = value;
            case "--namespace" -> namespace = value;
            case "--page-size" -> pageSize = positiveInt(flag, value);
            case "--stream-max" -> streamMax = positiveInt(flag, value);
            default -> throw new IllegalArgumentException("unknown flag '" + flag + "'\n" + USAGE);
          }
        }
      }
    }
    if (projects > issues) {
      throw new IllegalArgumentException(
          "--projects (" + projects + ") must not exceed --issues (" + issues + ")");
    }
    if (user == null) {
      user = jdbc != null && jdbc.startsWith("jdbc:postgresql:") ? "postgres" : "sa";
    }
    return new SimulationOptions(
        events, issues, projects, threads, skew, seed, mode, redis, jdbc, user, password, namespace,
        pageSize, streamMax);
  }

  /** Same options with another mode, for {@link Mode#COMPARE}. */
  public SimulationOptions withMode(Mode other) {
    return new SimulationOptions(
        events,
        issues,
        projects,
        threads,
        skew,
        seed,
        other,
        redis,
        jdbcUrl,
        jdbcUser,
        jdbcPassword,
        namespace,
        pageSize,
        streamCapacity);
  }

  /** "H2 (in memory)" or the JDBC URL; "in-JVM stores" or the Redis address. */
  public String services() {
    String database = jdbcUrl == null ? "H2 (in memory)" : jdbcUrl;
    String stores = redis == null ? "in-JVM (local) stores" : "Redis " + redis;
    return database + " + " + stores;
  }

  private static String valueAfter(String[] args, int i, String flag) {
    if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
      throw new IllegalArgumentException(flag + " needs a value\n" + USAGE);
    }
    return args[i + 1];
  }

  private static long positiveLong(String flag, String value) {
    long parsed = anyLong(flag, value);
    if (parsed < 1) {
      throw new IllegalArgumentException(flag + " must be at least 1, was " + value);
    }
    return parsed;
  }

  private static int positiveInt(String flag, String value) {
    long parsed = positiveLong(flag, value);
    if (parsed > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(flag + " is too large: " + value);
    }
    return (int) parsed;
  }

  private static long anyLong(String flag, String value) {
    try {
      return Long.parseLong(value.replace("_", ""));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(flag + " needs a whole number, was '" + value + "'", e);
    }
  }

  private static double nonNegativeDouble(String flag, String value) {
    try {
      double parsed = Double.parseDouble(value);
      if (parsed >= 0 && Double.isFinite(parsed)) {
        return parsed;
      }
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(flag + " needs a number >= 0, was '" + value + "'", e);
    }
    throw new IllegalArgumentException(flag + " needs a number >= 0, was '" + value + "'");
  }

  private static String redisUrl(String value) {
    if (!value.startsWith("redis://") && !value.startsWith("rediss://")) {
      throw new IllegalArgumentException(
          "--redis needs redis://host:port or rediss://host:port, was '" + value + "'");
    }
    return value;
  }

  private static String jdbcUrl(String value) {
    if (!value.startsWith("jdbc:")) {
      throw new IllegalArgumentException(
          "--jdbc needs a JDBC URL such as jdbc:postgresql://127.0.0.1:5432/test, was '"
              + value
              + "'");
    }
    return value;
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }
}
