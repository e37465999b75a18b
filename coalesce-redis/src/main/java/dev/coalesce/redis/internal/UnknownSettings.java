package dev.coalesce.redis.internal;

import dev.coalesce.redis.CoalesceConfigurationException;
import dev.coalesce.redis.CoalesceSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeSet;

/**
 * Refuses a {@value CoalesceSettings#PREFIX} key that no module on the class path reads, naming the
 * nearest known key, or the module that would read it.
 */
final class UnknownSettings {

  /** Modules whose keys may appear without the module, and where they live. */
  private static final Map<String, String> MODULES_BY_PREFIX =
      Map.of(
          CoalesceSettings.PREFIX + "buffer.", "hibernate-buffer",
          CoalesceSettings.PREFIX + "cache.", "hibernate-cache-multiget");

  private final List<KnownSettings> catalogs;

  UnknownSettings(List<KnownSettings> catalogs) {
    this.catalogs = catalogs;
  }

  /** The catalogs of the modules on the class path of {@code loader}. */
  static UnknownSettings onClassPath(ClassLoader loader) {
    List<KnownSettings> found = new ArrayList<>();
    ServiceLoader.load(KnownSettings.class, loader).forEach(found::add);
    if (found.stream().noneMatch(SharedSettings.class::isInstance)) {
      found.add(new SharedSettings());
    }
    return new UnknownSettings(found);
  }

  /** Lets every module check the values of its settings (see {@link KnownSettings#validate}). */
  void validateValues(Map<?, ?> settings, boolean redisConfigured) {
    catalogs.forEach(catalog -> catalog.validate(settings, redisConfigured));
  }

  /** Throws if {@code settings} hold a Coalesce key that no module reads. */
  void check(Map<?, ?> settings) {
    List<String> unknown = new ArrayList<>();
    for (Object key : settings.keySet()) {
      if (key instanceof String name
          && name.startsWith(CoalesceSettings.PREFIX)
          && catalogs.stream().noneMatch(catalog -> catalog.knows(name))) {
        unknown.add(name);
      }
    }
    if (unknown.isEmpty()) {
      return;
    }
    unknown.sort(null);
    StringBuilder message = new StringBuilder();
    for (String name : unknown) {
      message.append(message.length() == 0 ? "" : "; ").append(explain(name));
    }
    throw new CoalesceConfigurationException(message.toString());
  }

  private String explain(String name) {
    for (Map.Entry<String, String> module : MODULES_BY_PREFIX.entrySet()) {
      if (name.startsWith(module.getKey())
          && catalogs.stream().noneMatch(c -> c.prefix().equals(module.getKey()))) {
        return "Setting "
            + name
            + " belongs to "
            + module.getValue()
            + ", which is not on the class path: add the dependency or remove the setting";
      }
    }
    TreeSet<String> known = new TreeSet<>();
    catalogs.forEach(catalog -> known.addAll(catalog.keys()));
    String nearest = null;
    int best = Integer.MAX_VALUE;
    for (String candidate : known) {
      int distance = distance(name, candidate);
      if (distance < best) {
        best = distance;
        nearest = candidate;
      }
    }
    String hint =
        nearest != null && best <= Math.max(3, name.length() / 4)
            ? "did you mean " + nearest + "?"
            : "known settings are " + String.join(", ", known);
    return "Unknown setting " + name + ": no Coalesce module reads it; " + hint;
  }

  /** Levenshtein distance. */
  private static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
