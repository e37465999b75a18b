package dev.coalesce.spring.boot.actuate;

import dev.coalesce.cache.CacheReport;
import jakarta.persistence.EntityManagerFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hibernate.SessionFactory;

/**
 * The {@code cache} part of {@code /actuator/coalesce}: the {@code multiget} cache's store, its
 * outage state and its regions with their entry counts. Loaded only when hibernate-cache-multiget
 * is on the class path.
 */
final class CacheSection {

  private CacheSection() {}

  /** The section, or null when the factory does not use the multiget cache. */
  static Map<String, Object> of(EntityManagerFactory entityManagerFactory) {
    CacheReport report =
        CacheReport.of(entityManagerFactory.unwrap(SessionFactory.class)).orElse(null);
    if (report == null) {
      return null;
    }
    Map<String, Object> section = new LinkedHashMap<>();
    section.put("store", report.store());
    section.put("reachable", report.reachable());
    section.put("servingCachedReads", report.servingCachedReads());
    section.put("outageFor", report.outageFor() == null ? null : report.outageFor().toString());
    section.put("failedCalls", report.failedCalls());
    List<Map<String, Object>> regions = new ArrayList<>();
    for (CacheReport.Region region : report.regions()) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("name", region.name());
      entry.put(
          "entries",
          region.entries() == null ? "unknown: the store does not answer" : region.entries());
      regions.add(entry);
    }
    section.put("regions", regions);
    return section;
  }
}
