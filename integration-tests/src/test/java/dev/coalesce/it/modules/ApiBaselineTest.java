package dev.coalesce.it.modules;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReader;
import java.lang.module.ModuleReference;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 9, item 2: the public API of each module, as its exported packages show it (every public or
 * protected type, constructor, method and field, with generic signatures), equals the baseline
 * committed in {@code src/test/resources/api/<module>.api}. A new public type or member, a removed
 * one or a changed signature fails the build until the baseline is updated on purpose: run {@code
 * mvn -pl integration-tests -am verify -Dtest=ApiBaselineTest -Dcoalesce.api.update=true} and
 * review the diff of the baseline in the commit.
 */
class ApiBaselineTest {

  private static final Path BASELINES = Path.of("src", "test", "resources", "api");

  @ParameterizedTest
  @ValueSource(strings = {"dev.coalesce.redis", "dev.coalesce.buffer", "dev.coalesce.cache"})
  void thePublicApiEqualsTheCommittedBaseline(String module) throws Exception {
    List<String> api = api(module);
    Path baseline = BASELINES.resolve(module + ".api");
    if (Boolean.getBoolean("coalesce.api.update")) {
      Files.createDirectories(BASELINES);
      Files.write(baseline, api, StandardCharsets.UTF_8);
    }
    assertThat(baseline).as("the committed API baseline of %s", module).exists();
    assertThat(api)
        .as(
            "the public API of %s against %s (update it on purpose with"
                + " -Dcoalesce.api.update=true)",
            module, baseline)
        .containsExactlyElementsOf(Files.readAllLines(baseline, StandardCharsets.UTF_8));
  }

  /** One line per public type and per public or protected member of the exported packages. */
  private static List<String> api(String module) throws IOException, ClassNotFoundException {
    ModuleReference reference =
        ModuleFinder.of(classPath())
            .find(module)
            .orElseThrow(
                () -> new AssertionError("module " + module + " is not on the class path"));
    Set<String> exported =
        reference.descriptor().exports().stream()
            .filter(export -> !export.isQualified())
            .map(ModuleDescriptor.Exports::source)
            .collect(Collectors.toSet());
    TreeSet<String> lines = new TreeSet<>();
    try (ModuleReader reader = reference.open();
        Stream<String> resources = reader.list()) {
      for (String resource : resources.toList()) {
        if (!resource.endsWith(".class") || resource.equals("module-info.class")) {
          continue;
        }
        String name = resource.substring(0, resource.length() - 6).replace('/', '.');
        int dot = name.lastIndexOf('.');
        if (dot < 0 || !exported.contains(name.substring(0, dot))) {
          continue;
        }
        Class<?> type = Class.forName(name, false, ApiBaselineTest.class.getClassLoader());
        if (!visible(type)) {
          continue;
        }
        lines.add(typeLine(type));
        for (Constructor<?> constructor : type.getDeclaredConstructors()) {
          add(lines, type, constructor, constructor.toGenericString());
        }
        for (Method method : type.getDeclaredMethods()) {
          if (!method.isSynthetic() && !method.isBridge()) {
            add(lines, type, method, method.toGenericString());
          }
        }
        for (Field field : type.getDeclaredFields()) {
          if (!field.isSynthetic()) {
            add(lines, type, field, field.toGenericString());
          }
        }
      }
    }
    return new ArrayList<>(lines);
  }

  private static boolean visible(Class<?> type) {
    for (Class<?> t = type; t != null; t = t.getEnclosingClass()) {
      if (!Modifier.isPublic(t.getModifiers()) || t.isAnonymousClass() || t.isLocalClass()) {
        return false;
      }
    }
    return true;
  }

  private static String typeLine(Class<?> type) {
    StringBuilder line =
        new StringBuilder(type.getName()).append(": ").append(type.toGenericString());
    if (type.getGenericSuperclass() != null && type.getSuperclass() != Object.class) {
      line.append(" extends ").append(type.getGenericSuperclass().getTypeName());
    }
    if (type.getGenericInterfaces().length > 0) {
      line.append(" implements ");
      line.append(
          Stream.of(type.getGenericInterfaces())
              .map(java.lang.reflect.Type::getTypeName)
              .sorted()
              .collect(Collectors.joining(", ")));
    }
    return line.toString();
  }

  private static void add(TreeSet<String> lines, Class<?> type, Member member, String signature) {
    int modifiers = member.getModifiers();
    if (Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers)) {
      lines.add(type.getName() + ":   " + signature);
    }
  }

  /** The class path entries of the three Coalesce modules (jars, or a reactor's classes). */
  private static Path[] classPath() {
    return Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(
            entry ->
                Stream.of("coalesce-redis", "hibernate-buffer", "hibernate-cache-multiget")
                    .anyMatch(artifact -> ModulePathTest.isArtifact(entry, artifact)))
        .map(Path::of)
        .toArray(Path[]::new);
  }
}
