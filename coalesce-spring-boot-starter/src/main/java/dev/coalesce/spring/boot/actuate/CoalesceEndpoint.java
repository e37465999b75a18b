package dev.coalesce.spring.boot.actuate;

import dev.coalesce.buffer.BufferStats;
import dev.coalesce.buffer.CounterBuffer;
import dev.coalesce.buffer.PartitionBacklog;
import jakarta.persistence.EntityManagerFactory;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.util.ClassUtils;

/**
 * The Actuator endpoint {@code coalesce}: a GET shows the counter buffer's {@link BufferStats},
 * what each partition holds, the newest rows set aside in {@value CounterBuffer#SET_ASIDE_TABLE}
 * and, with the multiget cache, its outage state and its regions' entry counts; a POST flushes now
 * and answers the rows updated.
 */
@Endpoint(id = "coalesce")
public class CoalesceEndpoint {

  /** The most set-aside rows a GET shows (the newest). */
  public static final int SET_ASIDE_ROWS_SHOWN = 100;

  private static final boolean CACHE_PRESENT =
      ClassUtils.isPresent(
          "dev.coalesce.cache.CacheReport", CoalesceEndpoint.class.getClassLoader());

  private final CounterBuffer buffer;
  private final SetAsideRows setAside;
  private final EntityManagerFactory entityManagerFactory;

  CoalesceEndpoint(
      CounterBuffer buffer, SetAsideRows setAside, EntityManagerFactory entityManagerFactory) {
    this.buffer = buffer;
    this.setAside = setAside;
    this.entityManagerFactory = entityManagerFactory;
  }

  /** The buffer's stats, its pending age and the newest set-aside rows. */
  @ReadOperation
  public Map<String, Object> coalesce() {
    BufferStats stats = buffer.stats();
    Map<String, Object> report = new LinkedHashMap<>();
    Duration age = stats.oldestPendingAge();
    report.put("pendingAge", age == null ? "unknown: the store does not answer" : age.toString());
    report.put("buffer", asMap(stats));
    report.put("partitions", partitions());
    Map<String, Object> rows = new LinkedHashMap<>();
    rows.put("table", setAside.table());
    rows.put("total", setAside.count(null).total());
    rows.put("newest", setAside.newest(SET_ASIDE_ROWS_SHOWN));
    report.put("setAside", rows);
    if (CACHE_PRESENT) {
      Map<String, Object> cache = CacheSection.of(entityManagerFactory);
      if (cache != null) {
        report.put("cache", cache);
      }
    }
    return report;
  }

  /** Each partition's live and in-flight counters and the oldest one's age. */
  private Object partitions() {
    List<PartitionBacklog> backlog;
    try {
      backlog = buffer.backlog();
    } catch (RuntimeException e) {
      return "unknown: the store does not answer (" + e.getMessage() + ")";
    }
    List<Map<String, Object>> partitions = new ArrayList<>(backlog.size());
    for (PartitionBacklog partition : backlog) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("partition", partition.partition());
      entry.put("liveDeltas", partition.liveDeltas());
      entry.put("inFlightDeltas", partition.inFlightDeltas());
      entry.put("oldestAge", partition.oldestAge().toString());
      partitions.add(entry);
    }
    return partitions;
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
