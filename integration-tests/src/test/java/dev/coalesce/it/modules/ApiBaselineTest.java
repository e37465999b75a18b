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
import java.util.Map;
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
 *
 * <p>And outside the exported packages, only the types listed in {@link #PUBLIC_BECAUSE}, each with
 * the reason, are public.
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

  /**
   * The public types of the packages a module does not export at all, each with why it must be
   * public. Everything else of the implementation is package-private, so a type made public by
   * mistake fails here even though JPMS would hide it: on the class path, where most Hibernate
   * users run, nothing but Java's access rules hides it. (coalesce-redis's internal packages are
   * exported to the two modules only, and their types are public so that those modules reach them.)
   */
  private static final Map<String, Map<String, String>> PUBLIC_BECAUSE =
      Map.of(
          "dev.coalesce.redis",
          Map.of(),
          "dev.coalesce.buffer",
          Map.of(
              "dev.coalesce.buffer.internal.BufferIntegrator",
              "a service provider (Hibernate's Integrator), which ServiceLoader instantiates",
              "dev.coalesce.buffer.internal.BufferKnownSettings",
              "a service provider (coalesce-redis's KnownSettings), which ServiceLoader"
                  + " instantiates",
              "dev.coalesce.buffer.internal.RunningBuffers",
              "the one door from the API (CounterBuffer.of) to a factory's buffer"),
          "dev.coalesce.cache",
          Map.of(
              "dev.coalesce.cache.internal.MultigetIntegrator",
              "a service provider (Hibernate's Integrator), which ServiceLoader instantiates",
              "dev.coalesce.cache.internal.MultigetServiceContributor",
              "a service provider (Hibernate's ServiceContributor), which ServiceLoader"
                  + " instantiates",
              "dev.coalesce.cache.internal.RegionFactoryRegistration",
              "a service provider (Hibernate's StrategyRegistrationProvider: the short name"
                  + " multiget), which ServiceLoader instantiates",
              "dev.coalesce.cache.internal.CacheKnownSettings",
              "a service provider (coalesce-redis's KnownSettings), which ServiceLoader"
                  + " instantiates",
              "dev.coalesce.cache.internal.MultigetSingleTableEntityPersister",
              "an entity persister, which Hibernate creates through its public constructor",
              "dev.coalesce.cache.internal.MultigetJoinedSubclassEntityPersister",
              "an entity persister, which Hibernate creates through its public constructor",
              "dev.coalesce.cache.internal.MultigetUnionSubclassEntityPersister",
              "an entity persister, which Hibernate creates through its public constructor",
              "dev.coalesce.cache.internal.CacheRuntime",
              "the one door from the API (MultigetRegionFactory, CacheReport) to the started"
                  + " cache"));

  @ParameterizedTest
  @ValueSource(strings = {"dev.coalesce.redis", "dev.coalesce.buffer", "dev.coalesce.cache"})
  void outsideTheApiOnlyTypesThatJavaOrHibernateMustReachArePublic(String module) throws Exception {
    ModuleReference reference = module(module);
    Set<String> exportedAnyhow =
        reference.descriptor().exports().stream()
            .map(ModuleDescriptor.Exports::source)
            .collect(Collectors.toSet());
    TreeSet<String> publicInternal = new TreeSet<>();
    for (Class<?> type : types(reference)) {
      if (!exportedAnyhow.contains(type.getPackageName()) && visible(type)) {
        publicInternal.add(type.getName());
      }
    }
    assertThat(publicInternal)
        .as(
            "public types of %s outside its exported packages: make a new one package-private, or"
                + " add it to PUBLIC_BECAUSE with the reason it must be public",
            module)
        .containsExactlyInAnyOrderElementsOf(PUBLIC_BECAUSE.get(module).keySet());
  }

  private static ModuleReference module(String module) {
    return ModuleFinder.of(classPath())
        .find(module)
        .orElseThrow(() -> new AssertionError("module " + module + " is not on the class path"));
  }

  /** Every class of the module, loaded without initialising it. */
  private static List<Class<?>> types(ModuleReference reference)
      throws IOException, ClassNotFoundException {
    List<Class<?>> types = new ArrayList<>();
    try (ModuleReader reader = reference.open();
        Stream<String> resources = reader.list()) {
      for (String resource : resources.toList()) {
        if (resource.endsWith(".class")
            && !resource.endsWith("module-info.class")
            && !resource.endsWith("package-info.class")) {
          String name = resource.substring(0, resource.length() - 6).replace('/', '.');
          types.add(Class.forName(name, false, ApiBaselineTest.class.getClassLoader()));
        }
      }
    }
    return types;
  }

  /** One line per public type and per public or protected member of the exported packages. */
  private static List<String> api(String module) throws IOException, ClassNotFoundException {
    ModuleReference reference = module(module);
    Set<String> exported =
        reference.descriptor().exports().stream()
            .filter(export -> !export.isQualified())
            .map(ModuleDescriptor.Exports::source)
            .collect(Collectors.toSet());
    TreeSet<String> lines = new TreeSet<>();
    for (Class<?> type : types(reference)) {
      if (!exported.contains(type.getPackageName()) || !visible(type)) {
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
