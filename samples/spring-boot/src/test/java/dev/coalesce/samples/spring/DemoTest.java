package dev.coalesce.samples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coalesce.buffer.BufferStats;
import dev.coalesce.buffer.CounterBuffer;
import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.TestDatabase;
import dev.coalesce.testing.TestRedis;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The start-up demo on real PostgreSQL and Redis (a schema and a key namespace of this class), with
 * timer flushes running while its events arrive: what it prints agrees with {@link BufferStats}. It
 * once printed "the flush updated 51 rows" beside {@code rowsFlushed=102}: the last flush()'s rows
 * beside the count of every flush, the timer's included.
 */
@RealServices
@ExtendWith(OutputCaptureExtension.class)
class DemoTest {

  private static final Pattern FLUSHED =
      Pattern.compile(
          "([0-9,]+) row updates of times_seen \\(BufferStats.rowsFlushed\\), ([0-9,]+) partition"
              + " claims \\(BufferStats.flushes\\): ([0-9,]+) by the timer flushes while events"
              + " arrived, ([0-9,]+) by the last flush\\(\\)");

  @Test
  void theDemoPrintsFiguresThatAgreeWithBufferStatsWhenTimerFlushesRanDuringTheLoad(
      TestDatabase database, TestRedis redis, CapturedOutput output) {
    try (ConfigurableApplicationContext context =
        new SpringApplicationBuilder(TrackerApplication.class)
            .run(
                "--tracker.demo=true",
                "--spring.sql.init.mode=never",
                "--spring.datasource.url=" + database.jdbcUrl(),
                "--spring.datasource.username=" + database.user(),
                "--spring.datasource.password=" + database.password(),
                "--spring.jpa.hibernate.ddl-auto=create-drop",
                "--spring.jpa.properties.hibernate.default_schema=" + database.schema(),
                "--coalesce.redis.address=" + redis.address(),
                "--coalesce.redis.namespace=" + redis.namespace(),
                // Several timer flushes while the 4,000 events arrive.
                "--coalesce.buffer.flush-interval=100ms")) {
      BufferStats stats = context.getBean(CounterBuffer.class).stats();
      String printed = output.getOut();

      assertThat(context.getBean(Demo.class).getExitCode()).as(printed).isZero();
      assertThat(printed)
          .contains("BufferStats: 4,000 increments accepted")
          .contains("the 100 issues now total 4,000, read back with findAllById");
      Matcher flushed = FLUSHED.matcher(printed);
      assertThat(flushed.find()).as(printed).isTrue();
      long rows = number(flushed.group(1));
      long claims = number(flushed.group(2));
      long byTimer = number(flushed.group(3));
      long byLastFlush = number(flushed.group(4));
      assertThat(rows).isEqualTo(stats.rowsFlushed()).isEqualTo(byTimer + byLastFlush);
      assertThat(claims).isEqualTo(stats.flushes());
      assertThat(byTimer).as("rows the timer flushed during the load").isPositive();
      // 51 issues were hit, each updated by at least one flush.
      assertThat(rows).isGreaterThanOrEqualTo(51);
      assertThat(stats.incrementsAccepted()).isEqualTo(4_000);
    }
  }

  private static long number(String printed) {
    return Long.parseLong(printed.replace(",", ""));
  }
}
