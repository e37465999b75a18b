package dev.coalesce.samples.tracker.simulate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coalesce.samples.tracker.simulate.SimulationOptions.Mode;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SimulationOptionsTest {

  @Test
  void defaultsAreTheTalksLoadOnTheEmbeddedServices() {
    SimulationOptions options = SimulationOptions.parse(new String[0], Map.of());

    assertThat(options.events()).isEqualTo(200_000);
    assertThat(options.issues()).isEqualTo(1_000);
    assertThat(options.threads()).isEqualTo(8);
    assertThat(options.mode()).isEqualTo(Mode.COALESCE);
    assertThat(options.redis()).isNull();
    assertThat(options.jdbcUrl()).isNull();
    assertThat(options.services()).isEqualTo("H2 (in memory) + in-JVM (local) stores");
  }

  @Test
  void flagsAndTheEnvironmentPointItAtRealServices() {
    SimulationOptions options =
        SimulationOptions.parse(
            new String[] {"--plain", "--events=1000", "--jdbc", "jdbc:postgresql://127.0.0.1/test"},
            Map.of(SimulationOptions.REDIS_ENV, "redis://127.0.0.1:6379"));

    assertThat(options.mode()).isEqualTo(Mode.PLAIN);
    assertThat(options.events()).isEqualTo(1_000);
    assertThat(options.redis()).isEqualTo("redis://127.0.0.1:6379");
    assertThat(options.jdbcUser()).isEqualTo("postgres");
  }

  @Test
  void badValuesNameTheFlagAndWhatIsAllowed() {
    assertThatThrownBy(() -> SimulationOptions.parse(new String[] {"--threads", "0"}, Map.of()))
        .hasMessage("--threads must be at least 1, was 0");
    assertThatThrownBy(() -> SimulationOptions.parse(new String[] {"--events", "many"}, Map.of()))
        .hasMessage("--events needs a whole number, was 'many'");
    assertThatThrownBy(
            () -> SimulationOptions.parse(new String[] {"--redis", "localhost:6379"}, Map.of()))
        .hasMessageContaining("--redis needs redis://host:port");
    assertThatThrownBy(() -> SimulationOptions.parse(new String[] {"--fast"}, Map.of()))
        .hasMessageStartingWith("unknown flag '--fast'");
    assertThatThrownBy(() -> SimulationOptions.parse(new String[] {"--events"}, Map.of()))
        .hasMessageStartingWith("--events needs a value");
  }
}
