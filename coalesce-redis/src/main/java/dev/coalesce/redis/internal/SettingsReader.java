package dev.coalesce.redis.internal;

import dev.coalesce.redis.CoalesceConfigurationException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Typed, validated access to the settings map Hibernate was booted with. Every getter either
 * returns a valid value or throws {@link CoalesceConfigurationException} naming the setting, the
 * value found and what is allowed; a blank value counts as absent.
 */
public final class SettingsReader {

  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

  private final Map<?, ?> settings;

  public SettingsReader(Map<?, ?> settings) {
    this.settings = settings;
  }

  /** The raw value, which may be a non-string object (e.g. a client instance). */
  public Optional<Object> raw(String key) {
    Object value = settings.get(key);
    if (value instanceof String s && s.isBlank()) {
      return Optional.empty();
    }
    return Optional.ofNullable(value);
  }

  public Optional<String> string(String key) {
    return raw(key).map(value -> value.toString().trim());
  }

  public String string(String key, String defaultValue) {
    return string(key).orElse(defaultValue);
  }

  public boolean bool(String key, boolean defaultValue) {
    return string(key)
        .map(
            value -> {
              if (value.equalsIgnoreCase("true")) {
                return true;
              }
              if (value.equalsIgnoreCase("false")) {
                return false;
              }
              throw invalid(key, value, "true or false");
            })
        .orElse(defaultValue);
  }

  public int positiveInt(String key, int defaultValue) {
    long value = positiveLong(key, defaultValue);
    if (value > Integer.MAX_VALUE) {
      throw invalid(key, value, "a whole number from 1 to " + Integer.MAX_VALUE);
    }
    return (int) value;
  }

  /** A whole number from 0 to {@link Integer#MAX_VALUE}. */
  public int nonNegativeInt(String key, int defaultValue) {
    return string(key)
        .map(
            value -> {
              try {
                int parsed = Integer.parseInt(value);
                if (parsed >= 0) {
                  return parsed;
                }
              } catch (NumberFormatException e) {
                // reported below, with what is allowed
              }
              throw invalid(key, value, "a whole number from 0 to " + Integer.MAX_VALUE);
            })
        .orElse(defaultValue);
  }

  public long positiveLong(String key, long defaultValue) {
    return string(key)
        .map(
            value -> {
              try {
                long parsed = Long.parseLong(value);
                if (parsed > 0) {
                  return parsed;
                }
              } catch (NumberFormatException e) {
                // reported below, with what is allowed
              }
              throw invalid(key, value, "a whole number greater than 0");
            })
        .orElse(defaultValue);
  }

  /**
   * A positive duration with a unit: {@code 250ms}, {@code 5s}, {@code 2m}, {@code 1h}, {@code 1d},
   * or ISO-8601 such as {@code PT5S}. A bare number is refused because its unit would be a guess.
   */
  public Duration duration(String key, Duration defaultValue) {
    return string(key).map(value -> parseDuration(key, value)).orElse(defaultValue);
  }

  /** One of the constants of {@code type}, written in any case ({@code redis}, {@code LOCAL}). */
  public <E extends Enum<E>> E choice(String key, Class<E> type, E defaultValue) {
    return string(key)
        .map(
            value -> {
              for (E constant : type.getEnumConstants()) {
                if (constant.name().equalsIgnoreCase(value)) {
                  return constant;
                }
              }
              StringBuilder allowed = new StringBuilder("one of");
              for (E constant : type.getEnumConstants()) {
                allowed.append(' ').append(constant.name().toLowerCase(Locale.ROOT));
              }
              throw invalid(key, value, allowed.toString());
            })
        .orElse(defaultValue);
  }

  /**
   * Every setting whose key starts with {@code prefix}, keyed by the rest of the key, sorted. Used
   * for per-name settings such as {@code hibernate.coalesce.cache.region.<region>.ttl}.
   */
  public Map<String, String> withPrefix(String prefix) {
    Map<String, String> found = new TreeMap<>();
    settings.forEach(
        (key, value) -> {
          if (key instanceof String k && k.startsWith(prefix) && value != null) {
            found.put(k.substring(prefix.length()), value.toString().trim());
          }
        });
    return found;
  }

  private static Duration parseDuration(String key, String value) {
    String allowed = "a positive duration with a unit, e.g. 250ms, 5s, 2m, 1h, 1d or ISO-8601 PT5S";
    Duration parsed;
    Matcher matcher = DURATION.matcher(value.toLowerCase(Locale.ROOT));
    if (matcher.matches()) {
      long amount;
      try {
        amount = Long.parseLong(matcher.group(1));
      } catch (NumberFormatException e) {
        throw invalid(key, value, allowed);
      }
      parsed =
          switch (matcher.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
          };
    } else {
      try {
        parsed = Duration.parse(value.toUpperCase(Locale.ROOT));
      } catch (DateTimeParseException e) {
        boolean bareNumber = value.chars().allMatch(Character::isDigit);
        throw invalid(key, value, bareNumber ? "a unit: " + allowed : allowed);
      }
    }
    if (parsed.isZero() || parsed.isNegative()) {
      throw invalid(key, value, allowed);
    }
    return parsed;
  }

  private static CoalesceConfigurationException invalid(String key, Object value, String allowed) {
    return new CoalesceConfigurationException(
        "Invalid value '" + value + "' for setting " + key + ": expected " + allowed);
  }
}
