package dev.coalesce.it.modules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.TestDatabase;
import dev.coalesce.testing.TestRedis;
import java.io.File;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Issue 9, item 1: the three Coalesce jars are JPMS modules that export only their API, and an
 * application works with them on the module path and on the class path. {@link ModulePathApp} runs
 * in a JVM of its own each way against PostgreSQL and Redis.
 */
@RealServices
class ModulePathTest {

  /** Class path entries of the Coalesce modules and of the modules they require. */
  private static final List<String> MODULE_PATH_ARTIFACTS =
      List.of(
          "coalesce-redis",
          "hibernate-buffer",
          "hibernate-cache-multiget",
          "hibernate-core",
          "redisson",
          "jboss-logging",
          "jakarta.persistence-api");

  @Test
  void eachModuleExportsOnlyItsApi() {
    ModuleFinder finder = ModuleFinder.of(split(true).toArray(Path[]::new));
    assertThat(exports(finder, "dev.coalesce.redis"))
        .containsExactly(
            Map.entry("dev.coalesce.redis", Set.of()),
            Map.entry(
                "dev.coalesce.redis.internal", Set.of("dev.coalesce.buffer", "dev.coalesce.cache")),
            Map.entry(
                "dev.coalesce.redis.internal.metrics",
                Set.of("dev.coalesce.buffer", "dev.coalesce.cache")));
    assertThat(exports(finder, "dev.coalesce.buffer"))
        .containsExactly(Map.entry("dev.coalesce.buffer", Set.of()));
    assertThat(exports(finder, "dev.coalesce.cache"))
        .containsExactly(Map.entry("dev.coalesce.cache", Set.of()));
  }

  @Test
  void anApplicationRunsWithTheJarsOnTheModulePath(TestDatabase db, TestRedis redis)
      throws Exception {
    Map<String, String> seen = run(db, redis, true);
    assertThat(seen)
        .containsEntry("bufferModule", "dev.coalesce.buffer")
        .containsEntry("internalReachable", "false");
    assertWorked(seen);
  }

  @Test
  void anApplicationRunsWithTheJarsOnTheClassPath(TestDatabase db, TestRedis redis)
      throws Exception {
    Map<String, String> seen = run(db, redis, false);
    // the class path has no encapsulation: the internal packages are reachable, as ever
    assertThat(seen)
        .containsEntry("bufferModule", "unnamed")
        .containsEntry("internalReachable", "true");
    assertWorked(seen);
  }

  private static void assertWorked(Map<String, String> seen) {
    assertThat(seen)
        .as("3 rows flushed, 2 views each, then 3 cache hits and no SQL")
        .containsEntry("rowsFlushed", "3")
        .containsEntry("views", "6")
        .containsEntry("cacheHits", "3")
        .containsEntry("sql", "0");
  }

  private static Map<String, Set<String>> exports(ModuleFinder finder, String module) {
    ModuleDescriptor descriptor =
        finder
            .find(module)
            .orElseThrow(() -> new AssertionError("no module " + module))
            .descriptor();
    Map<String, Set<String>> exports = new TreeMap<>();
    for (ModuleDescriptor.Exports export : descriptor.exports()) {
      exports.put(export.source(), export.targets());
    }
    return exports;
  }

  /** The test's class path entries that go on the module path (true) or stay (false). */
  private static List<Path> split(boolean modulePath) {
    List<Path> paths = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      boolean module = MODULE_PATH_ARTIFACTS.stream().anyMatch(a -> isArtifact(entry, a));
      if (module == modulePath) {
        paths.add(Path.of(entry));
      }
    }
    return paths;
  }

  /** A jar of the artifact, or a reactor module's classes directory. */
  static boolean isArtifact(String entry, String artifact) {
    Path path = Path.of(entry);
    String name = path.getFileName().toString();
    if (name.equals("classes") && path.getParent() != null) {
      // <module>/target/classes in a reactor build
      return path.getParent().getParent().getFileName().toString().equals(artifact);
    }
    return name.startsWith(artifact + "-") && name.endsWith(".jar");
  }

  private static Map<String, String> run(TestDatabase db, TestRedis redis, boolean modulePath)
      throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    String modules = join(split(true));
    String rest = join(split(false));
    if (modulePath) {
      command.addAll(List.of("--module-path", modules, "--add-modules", "ALL-MODULE-PATH"));
      command.addAll(List.of("-cp", rest));
    } else {
      command.addAll(List.of("-cp", modules + File.pathSeparator + rest));
    }
    command.add(ModulePathApp.class.getName());
    Map<String, Object> settings = new HashMap<>(db.hibernateProperties());
    settings.putAll(redis.hibernateProperties());
    settings.forEach((key, value) -> command.add(key + "=" + value));
    Path log = Files.createTempFile("module-path-app", ".log");
    Process process =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    boolean exited = process.waitFor(2, TimeUnit.MINUTES);
    if (!exited) {
      process.destroyForcibly().waitFor();
    }
    String text = Files.readString(log, StandardCharsets.UTF_8);
    Files.delete(log);
    assertThat(exited).as("the application exits within 2 minutes:%n%s", text).isTrue();
    assertThat(process.exitValue()).as("the application's output:%n%s", text).isZero();
    Map<String, String> seen = new TreeMap<>();
    for (String line : text.split("\\R")) {
      int eq = line.indexOf('=');
      if (eq > 0 && line.substring(0, eq).matches("[a-zA-Z]+")) {
        seen.put(line.substring(0, eq), line.substring(eq + 1));
      }
    }
    System.out.printf("%s: %s%n", modulePath ? "module path" : "class path", seen);
    return seen;
  }

  private static String join(List<Path> paths) {
    return paths.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator));
  }
}
