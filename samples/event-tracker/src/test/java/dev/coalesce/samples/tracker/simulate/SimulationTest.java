package dev.coalesce.samples.tracker.simulate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coalesce.samples.tracker.simulate.SimulationOptions.Mode;
import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.TestDatabase;
import dev.coalesce.testing.TestRedis;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Small runs of {@code simulate}: on the embedded default, and on real PostgreSQL and Redis, where
 * plain Hibernate loses increments to a hot row and the buffer loses none.
 */
@RealServices
class SimulationTest {

  private static final PrintStream QUIET =
      new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

  @Test
  void embeddedDefaultCountsEveryEventWithFewRowUpdates() {
    SimulationResult result =
        run(QUIET, "--events", "20000", "--issues", "200", "--projects", "4", "--threads", "4");

    assertThat(result.failedEvents()).isZero();
    assertThat(result.eventsSent()).isEqualTo(20_000);
    assertThat(result.databaseTotal()).isEqualTo(20_000);
    assertThat(result.wrongIssues()).isZero();
    assertThat(result.passed()).isTrue();
    // At most one UPDATE per issue per flush, far fewer than one per event.
    assertThat(result.counterRowUpdates()).isPositive().isLessThan(20_000 / 5);
    assertThat(result.pageWarm().rows()).isEqualTo(25);
    assertThat(result.pageWarm().cacheHits()).isEqualTo(25);
    assertThat(result.pageWarm().sqlStatements()).isZero();
    assertThat(result.pageWarm().redisRoundTrips()).isEqualTo(-1);
  }

  @Test
  void onPostgresAndRedisAWarmPageIsTwoRoundTripsAndNoSql(TestDatabase database, TestRedis redis) {
    SimulationResult result =
        run(
            QUIET,
            "--events",
            "20000",
            "--issues",
            "200",
            "--projects",
            "4",
            "--threads",
            "4",
            "--jdbc",
            database.jdbcUrl(),
            "--user",
            database.user(),
            "--password",
            database.password(),
            "--redis",
            redis.address(),
            "--namespace",
            redis.namespace());

    assertThat(result.failedEvents()).isZero();
    assertThat(result.databaseTotal()).isEqualTo(20_000);
    assertThat(result.passed()).isTrue();
    assertThat(result.counterRowUpdates()).isPositive().isLessThan(20_000 / 5);
    // One ZREVRANGE for the stream, one multi-get for the 25 issues: never one per issue. The
    // sample counts what its own Redisson client writes (a Netty hook), which undercounted once
    // in CI (1 instead of 2) and could not be reproduced since, so the bound is "at most 2".
    assertThat(result.pageWarm().redisRoundTrips()).isBetween(1L, 2L);
    assertThat(result.pageWarm().cacheHits()).isEqualTo(25);
    assertThat(result.pageWarm().sqlStatements()).isZero();
  }

  @Test
  void plainHibernateLosesIncrementsToAHotRowAndTheCommandSaysSo(TestDatabase database) {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    int status =
        dev.coalesce.samples.tracker.EventTracker.run(
            new String[] {
              "simulate", "--plain",
              "--events", "4000",
              "--issues", "1",
              "--projects", "1",
              "--threads", "8",
              "--jdbc", database.jdbcUrl(),
              "--user", database.user(),
              "--password", database.password()
            },
            new PrintStream(printed, true, StandardCharsets.UTF_8));

    String output = printed.toString(StandardCharsets.UTF_8);
    assertThat(status).as(output).isEqualTo(1);
    assertThat(output).contains("| final check: database = events sent").contains("FAIL");
    assertThat(output).containsPattern("plain Hibernate: the database holds [0-9,]+ increments");
  }

  @Test
  void theCommandExitsZeroWhenTheCheckPasses() {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    int status =
        dev.coalesce.samples.tracker.EventTracker.run(
            new String[] {"simulate", "--events", "3000", "--issues", "50", "--projects", "2"},
            new PrintStream(printed, true, StandardCharsets.UTF_8));

    String output = printed.toString(StandardCharsets.UTF_8);
    assertThat(status).as(output).isZero();
    assertThat(output).containsPattern("final check: database = events sent\\s+\\|\\s+PASS");
    assertThat(output).contains("Stream of project").contains("The system first saw this issue.");
  }

  @Test
  void withoutATerminalTheProgressBarPrintsALineEveryFewSecondsNotCarriageReturns() {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    // Long enough for a few of the bar's intervals on a small machine.
    SimulationResult result =
        run(
            new PrintStream(printed, true, StandardCharsets.UTF_8),
            "--events",
            "80000",
            "--issues",
            "200",
            "--threads",
            "4");

    String output = printed.toString(StandardCharsets.UTF_8);
    assertThat(output).doesNotContain("\r");
    List<String> progress =
        output.lines().filter(line -> PROGRESS_LINE.matcher(line).find()).toList();
    System.out.printf(
        "%d progress lines for a load of %s:%n%s%n",
        progress.size(), result.elapsed(), String.join("\n", progress));
    // One when the load starts, one per interval that ended during the load, one when it ends
    // (give or take one, as the bar starts a moment before the load's clock).
    long intervals =
        result.elapsed().toMillis() / ProgressDisplay.LINES.updateInterval().toMillis();
    assertThat(progress).hasSizeBetween((int) intervals + 1, (int) intervals + 3);
    assertThat(progress.get(0)).contains("  0%");
    assertThat(progress.get(progress.size() - 1)).contains("100%").contains("80000/80000");
    assertThat(output.lines()).allSatisfy(line -> assertThat(line).hasSizeLessThan(200));
  }

  private static final Pattern PROGRESS_LINE = Pattern.compile("^Coalesce +[0-9]+%");

  private static SimulationResult run(PrintStream out, String... args) {
    SimulationOptions options = SimulationOptions.parse(args, Map.of());
    assertThat(options.mode()).isEqualTo(Mode.COALESCE);
    SimulationResult result = new Simulation(options, out, Clock.systemUTC()).run();
    System.out.println("seed " + options.seed() + ", " + options.services());
    System.out.print(SummaryTable.render(List.of(result)));
    return result;
  }
}
