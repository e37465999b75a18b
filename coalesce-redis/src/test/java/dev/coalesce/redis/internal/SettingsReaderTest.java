package dev.coalesce.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coalesce.redis.CoalesceConfigurationException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingsReaderTest {

  enum Store {
    REDIS,
    LOCAL
  }

  private static SettingsReader reader(Object... keyValues) {
    java.util.Map<String, Object> map = new java.util.HashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      map.put((String) keyValues[i], keyValues[i + 1]);
    }
    return new SettingsReader(map);
  }

  @Test
  void durationsNeedAUnitAndAcceptIso8601() {
    SettingsReader settings =
        reader("a", "250ms", "b", "5s", "c", "2m", "d", "1h", "e", "1d", "f", "PT5S", "g", " 3 s");
    assertThat(settings.duration("a", null)).isEqualTo(Duration.ofMillis(250));
    assertThat(settings.duration("b", null)).isEqualTo(Duration.ofSeconds(5));
    assertThat(settings.duration("c", null)).isEqualTo(Duration.ofMinutes(2));
    assertThat(settings.duration("d", null)).isEqualTo(Duration.ofHours(1));
    assertThat(settings.duration("e", null)).isEqualTo(Duration.ofDays(1));
    assertThat(settings.duration("f", null)).isEqualTo(Duration.ofSeconds(5));
    assertThat(settings.duration("g", null)).isEqualTo(Duration.ofSeconds(3));
    assertThat(settings.duration("missing", Duration.ofSeconds(9)))
        .isEqualTo(Duration.ofSeconds(9));
  }

  @Test
  void aBareNumberIsRefusedWithTheSettingNameAndWhatIsAllowed() {
    assertThatThrownBy(
            () -> reader("hibernate.coalesce.x", "5").duration("hibernate.coalesce.x", null))
        .isInstanceOf(CoalesceConfigurationException.class)
        .hasMessageContaining("hibernate.coalesce.x")
        .hasMessageContaining("'5'")
        .hasMessageContaining("unit")
        .hasMessageContaining("250ms");
    assertThatThrownBy(() -> reader("k", "0s").duration("k", null))
        .hasMessageContaining("positive duration");
    assertThatThrownBy(() -> reader("k", "soon").duration("k", null))
        .hasMessageContaining("'soon'");
  }

  @Test
  void choicesIgnoreCaseAndListWhatIsAllowed() {
    assertThat(reader("k", "Local").choice("k", Store.class, Store.REDIS)).isEqualTo(Store.LOCAL);
    assertThat(reader().choice("k", Store.class, Store.REDIS)).isEqualTo(Store.REDIS);
    assertThatThrownBy(() -> reader("k", "memcached").choice("k", Store.class, Store.REDIS))
        .isInstanceOf(CoalesceConfigurationException.class)
        .hasMessage("Invalid value 'memcached' for setting k: expected one of redis local");
  }

  @Test
  void numbersAndBooleansAreValidated() {
    assertThat(reader("k", "16").positiveInt("k", 1)).isEqualTo(16);
    assertThat(reader("k", "").positiveInt("k", 7)).isEqualTo(7);
    assertThatThrownBy(() -> reader("k", "0").positiveInt("k", 1))
        .hasMessageContaining("greater than 0");
    assertThatThrownBy(() -> reader("k", "ten").positiveLong("k", 1)).hasMessageContaining("'ten'");
    assertThat(reader("k", "FALSE").bool("k", true)).isFalse();
    assertThatThrownBy(() -> reader("k", "yes").bool("k", true))
        .hasMessageContaining("true or false");
  }

  @Test
  void withPrefixStripsThePrefix() {
    SettingsReader settings = reader("p.region.a.ttl", "5s", "p.region.b.ttl", "1m", "other", "x");
    assertThat(settings.withPrefix("p.region.")).isEqualTo(Map.of("a.ttl", "5s", "b.ttl", "1m"));
  }
}
