package dev.coalesce.spring.boot.actuate;

import dev.coalesce.buffer.BufferStats;
import dev.coalesce.buffer.CounterBuffer;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * The Actuator endpoint {@code coalesce}: a GET shows the counter buffer's {@link BufferStats} and
 * the newest rows set aside in {@value CounterBuffer#SET_ASIDE_TABLE}; a POST flushes now and
 * answers the rows updated.
 */
@Endpoint(id = "coalesce")
public class CoalesceEndpoint {

  /** The most set-aside rows a GET shows (the newest). */
  public static final int SET_ASIDE_ROWS_SHOWN = 100;

  private final CounterBuffer buffer;
  private final SetAsideRows setAside;

  CoalesceEndpoint(CounterBuffer buffer, SetAsideRows setAside) {
    this.buffer = buffer;
    this.setAside = setAside;
  }

  /** The buffer's stats, its pending age and the newest set-aside rows. */
  @ReadOperation
  public Map<String, Object> coalesce() {
    BufferStats stats = buffer.stats();
    Map<String, Object> report = new LinkedHashMap<>();
    Duration age = stats.oldestPendingAge();
    report.put("pendingAge", age == null ? "unknown: the store does not answer" : age.toString());
    report.put("buffer", asMap(stats));
    Map<String, Object> rows = new LinkedHashMap<>();
    rows.put("table", setAside.table());
    rows.put("total", setAside.count(null).total());
    rows.put("newest", setAside.newest(SET_ASIDE_ROWS_SHOWN));
    report.put("setAside", rows);
    return report;
  }

  /** Flushes every pending delta now, as {@link CounterBuffer#flush()}. */
  @WriteOperation
  public Map<String, Object> flush() {
    return Map.of("rowsUpdated", buffer.flush());
  }

  private static Map<String, Object> asMap(BufferStats stats) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (RecordComponent component : BufferStats.class.getRecordComponents()) {
      Object value;
      try {
        value = component.getAccessor().invoke(stats);
      } catch (IllegalAccessException | InvocationTargetException e) {
        throw new IllegalStateException("Cannot read BufferStats." + component.getName(), e);
      }
      map.put(
          component.getName(), value instanceof Duration duration ? duration.toString() : value);
    }
    return map;
  }
}
